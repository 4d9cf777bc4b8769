//! The shopper's receipt, for an order or for a scheduled payment of an agreement.

use super::{Envelope, compose};
use crate::decision::Context;
use crate::email::EmailAddress;
use crate::futurepay::Agreement;
use crate::ids::{CartId, TransId};
use crate::mail::{Mail, MailKind};
use crate::render::RenderError;
use crate::view::ResponseView;

/// What a payment paid for.
pub(crate) enum Receipted<'a> {
    Order(&'a CartId),
    Agreement(&'a Agreement),
}

/// One receipt per transaction; none when the shopper gave no usable address.
pub(crate) fn receipt(
    ctx: &Context,
    trans_id: &TransId,
    shopper_email: Option<&str>,
    receipted: Receipted,
    view: &ResponseView,
) -> Result<Option<Mail>, RenderError> {
    let Some(to) = shopper_email.and_then(|e| EmailAddress::parse(e).ok()) else {
        return Ok(None);
    };
    let (cart_id, subject) = match receipted {
        Receipted::Order(cart_id) => (cart_id, format!("Your receipt for order {cart_id}")),
        Receipted::Agreement(agreement) => (
            &agreement.cart_id,
            format!("Your receipt for agreement {}", agreement.id),
        ),
    };
    let envelope = Envelope {
        id: format!("receipt#{trans_id}"),
        kind: MailKind::Receipt,
        to,
        cart_id: Some(cart_id),
        subject,
    };
    compose(ctx, envelope, "mail_receipt", view).map(Some)
}
