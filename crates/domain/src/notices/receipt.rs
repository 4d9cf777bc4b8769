//! The shopper's receipt, for an order or for a scheduled payment of an agreement.

use super::{Envelope, compose};
use crate::callback::PaymentResponse;
use crate::decision::Context;
use crate::email::EmailAddress;
use crate::futurepay::Agreement;
use crate::ids::TransId;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;
use crate::view::ResponseView;

/// What a payment paid for.
pub(crate) enum Receipted<'a> {
    /// The response's own cart.
    Order,
    /// A scheduled payment: its shopper is the one the agreement was made with, unless the
    /// gateway names one.
    Agreement(&'a Agreement),
}

/// One receipt per transaction; none when the shopper gave no usable address.
pub(crate) fn receipt(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    receipted: Receipted,
    view: &ResponseView,
) -> Result<Option<Mail>, RenderError> {
    let (cart_id, subject, shopper_email) = match receipted {
        Receipted::Order => (
            &response.cart_id,
            format!("Your receipt for order {}", response.cart_id),
            response.field("email"),
        ),
        Receipted::Agreement(agreement) => (
            &agreement.cart_id,
            format!("Your receipt for agreement {}", agreement.id),
            response
                .field("email")
                .or(agreement.shopper_email.as_deref()),
        ),
    };
    let Some(to) = shopper_email.and_then(|e| EmailAddress::parse(e).ok()) else {
        return Ok(None);
    };
    let envelope = Envelope {
        id: MailId::receipt(trans_id),
        kind: MailKind::Receipt,
        to,
        cart_id: Some(cart_id),
        subject,
    };
    compose(ctx, envelope, "mail_receipt", view).map(Some)
}
