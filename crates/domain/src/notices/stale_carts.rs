//! The merchant's daily list of carts sent to a gateway whose result only the shopper's
//! browser brings (Opayo Form), with no result after the stale time: the shopper may have
//! paid and closed the browser, and the gateway's own mail to the merchant is then the only
//! record of it.

use time::format_description::well_known::Rfc3339;

use super::{Alert, alert};
use crate::decision::Context;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;
use crate::store::AwaitingCart;

/// One a day at most, however many sweeps run: its id names the UTC day of `ctx.now`. Each
/// cart is listed by id, time and amount only (nothing about the shopper); the template
/// escapes every value. `more` says the list was cut short.
pub fn stale_carts_alert(
    ctx: &Context,
    carts: &[AwaitingCart],
    stale_after: time::Duration,
    more: bool,
) -> Result<Mail, RenderError> {
    let summary = format!(
        "These carts were sent to Opayo more than {} minutes ago and no result \
         came back: the shopper may have paid and closed the browser before returning. Look \
         each one up in MyOpayo by its id (Opayo's VendorTxCode) or in Opayo's mail to you. \
         If it was paid, copy the result's crypt (or the whole return URL) and run \
         `selectpay replay --opayo CRYPT --apply`: the cart is then paid, with receipt and \
         order notice, as if the shopper had come back. If Opayo has no payment for it, \
         nothing is owed: `selectpay carts --dismiss CART_ID` takes it off this list.{}",
        stale_after.whole_minutes(),
        if more {
            " The list is cut short: `selectpay carts --stale` lists them all."
        } else {
            ""
        }
    );
    let facts = carts
        .iter()
        .map(|cart| {
            let stored = cart
                .created_at
                .format(&Rfc3339)
                .unwrap_or_else(|_| cart.created_at.to_string());
            (
                cart.cart_id.as_str(),
                format!("{}, sent {stored}", cart.amount),
            )
        })
        .collect();
    alert(
        ctx,
        Alert {
            id: MailId::stale_carts_alert(ctx.now),
            kind: MailKind::MerchantAlert,
            cart_id: None,
            title: &format!(
                "selectpay: {} Opayo cart(s) with no result from the shopper",
                carts.len()
            ),
            summary: &summary,
            facts,
        },
    )
}
