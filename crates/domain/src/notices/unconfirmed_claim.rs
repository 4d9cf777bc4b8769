//! The merchant's alert when the shopper's browser said WorldPay's page showed the cart paid
//! and no authenticated callback followed within the grace period.

use super::{Alert, alert};
use crate::decision::Context;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;
use crate::store::ClaimedPayment;

/// One per cart (its id names the cart), whatever the number of sweeps that see it.
pub fn unconfirmed_claim_alert(ctx: &Context, claim: &ClaimedPayment) -> Result<Mail, RenderError> {
    let unknown = || "not given".to_owned();
    alert(
        ctx,
        Alert {
            id: MailId::unconfirmed_claim(&claim.cart_id),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&claim.cart_id),
            title: &format!(
                "selectpay: order {} shown as paid but not confirmed by WorldPay",
                claim.cart_id
            ),
            summary: "WorldPay's page says the cart was paid (the shopper's browser sent us \
                 its result page), but no authenticated callback came. The order stays \
                 pending here. Check the transaction in WorldPay's admin and, if it was \
                 paid, replay the Callback Failure Alert WorldPay mailed you with \
                 `selectpay replay --eml FILE --apply`.",
            facts: vec![
                ("Order", claim.cart_id.to_string()),
                (
                    "transId (claimed)",
                    claim
                        .trans_id
                        .as_ref()
                        .map_or_else(unknown, ToString::to_string),
                ),
                (
                    "Amount (claimed)",
                    claim
                        .amount
                        .as_ref()
                        .map_or_else(unknown, ToString::to_string),
                ),
            ],
        },
    )
}
