//! The operator's alert about a callback whose URL's query string contradicts its body.

use super::{Alert, alert};
use crate::callback::PaymentResponse;
use crate::decision::Context;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;

/// Once per distinct content under a key: a repeat of the same delivery says nothing new.
pub fn query_conflict(
    ctx: &Context,
    response: &PaymentResponse,
    fields: &[String],
) -> Result<Mail, RenderError> {
    let mut facts = vec![
        ("Cart", response.cart_id.to_string()),
        ("Fields that differ", fields.join(", ")),
    ];
    if let Some(trans_id) = response.field("transId") {
        facts.push(("Transaction (body)", trans_id.to_owned()));
    }
    alert(
        ctx,
        Alert {
            id: MailId::query_conflict(&response.idempotency_key(), &response.fingerprint),
            kind: MailKind::OperatorAlert,
            cart_id: Some(&response.cart_id),
            title: "selectpay: callback URL's query string contradicts its body",
            summary: "A callback's body (authenticated by the callback password) and the \
                 query string on its URL named different values. The body was acted on, as \
                 always; the query string is stored with the delivery. Check the Callback URL \
                 configured in WorldPay's Customer Management System.",
            facts,
        },
    )
}
