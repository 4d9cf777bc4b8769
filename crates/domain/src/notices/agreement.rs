//! Mail about FuturePay agreements: the merchant's alerts about callbacks, and what the
//! sweep sends when it cancels an agreement or cannot.

use super::{Alert, Envelope, alert, notice};
use crate::callback::PaymentResponse;
use crate::decision::Context;
use crate::email::EmailAddress;
use crate::futurepay::{Agreement, AgreementStatus};
use crate::ids::FuturePayId;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;

/// Why a callback about an agreement needs a person to check it.
#[derive(Clone, Copy)]
pub(crate) enum Unexpected {
    /// Set up without a payment for an order that expected one, or that we do not know or
    /// is no longer pending.
    CreatedWithoutPayment,
    /// About an agreement we never heard of; once per distinct delivery.
    UnknownAgreement,
}

pub(crate) fn unexpected(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    why: Unexpected,
) -> Result<Mail, RenderError> {
    let (mail_id, title, summary) = match why {
        Unexpected::CreatedWithoutPayment => (
            MailId::agreement_created(id),
            format!("FuturePay agreement {id} needs checking"),
            "WorldPay set up an agreement without charging anything now, but the order \
             is unknown, not pending, or expected an immediate payment. Check it in \
             WorldPay's Customer Management System.",
        ),
        Unexpected::UnknownAgreement => (
            MailId::unknown_agreement(id, &response.fingerprint),
            format!("Callback for unknown FuturePay agreement {id}"),
            "WorldPay reported on an agreement selectpay has no record of. The delivery \
             is kept; check the agreement in WorldPay's Customer Management System.",
        ),
    };
    let alert_about = Alert {
        id: mail_id,
        kind: MailKind::MerchantAlert,
        cart_id: Some(&response.cart_id),
        title: &title,
        summary,
        facts: vec![
            ("Agreement", id.to_string()),
            ("Cart", response.cart_id.to_string()),
        ],
    };
    alert(ctx, alert_about)
}

/// A scheduled payment was declined; once per distinct delivery.
pub(crate) fn agreement_declined(
    ctx: &Context,
    response: &PaymentResponse,
    agreement: &Agreement,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::agreement_declined(&agreement.id, &response.fingerprint),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!("FuturePay payment declined for agreement {}", agreement.id),
            summary: "A scheduled payment was declined. WorldPay may retry it; if no payment \
                 arrives, the sweep cancels the agreement once the payment is overdue.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Cart", agreement.cart_id.to_string()),
                (
                    "Description",
                    response.field("desc").unwrap_or("").to_owned(),
                ),
            ],
        },
    )
}

/// The merchant or the shopper ended an active agreement at WorldPay.
pub(crate) fn agreement_ended(
    ctx: &Context,
    status: AgreementStatus,
    agreement: &Agreement,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::agreement_ended(&agreement.id),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!("FuturePay agreement {} ended", agreement.id),
            summary: "The agreement was cancelled at WorldPay; no further payments will be taken.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Cart", agreement.cart_id.to_string()),
                ("Status", status.as_str().to_owned()),
            ],
        },
    )
}

/// What the sweep sends once when it cancels an agreement for non-payment: the shopper is
/// told their service is suspended, the merchant why.
pub fn suspension_mails(ctx: &Context, agreement: &Agreement) -> Result<Vec<Mail>, RenderError> {
    let facts = || {
        vec![
            ("Agreement", agreement.id.to_string()),
            ("Order", agreement.cart_id.to_string()),
            (
                "Payment overdue since",
                agreement
                    .overdue_at
                    .map_or_else(String::new, |at| at.date().to_string()),
            ),
        ]
    };
    let mut mails = vec![alert(
        ctx,
        Alert {
            id: MailId::suspension_to_merchant(&agreement.id),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!(
                "FuturePay agreement {} cancelled for non-payment",
                agreement.id
            ),
            summary: "No payment arrived by the time it was due, so the agreement was cancelled \
                 at WorldPay and the service suspended.",
            facts: facts(),
        },
    )?];
    let shopper = agreement
        .shopper_email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok());
    if let Some(to) = shopper {
        let envelope = Envelope {
            id: MailId::suspension_to_shopper(&agreement.id),
            kind: MailKind::ShopperNotice,
            to,
            cart_id: Some(&agreement.cart_id),
            subject: format!(
                "Your subscription for order {} has ended",
                agreement.cart_id
            ),
        };
        mails.push(notice(
            ctx,
            envelope,
            "We did not receive your regular payment, so your recurring payment agreement \
             has been cancelled and the service suspended. Please contact us to set up a new \
             one.",
            facts(),
        )?);
    }
    Ok(mails)
}

/// The operator's alert when cancelling an agreement at the gateway keeps failing.
pub fn cancel_failure_alert(
    ctx: &Context,
    agreement: &Agreement,
    reason: &str,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::cancel_failed(&agreement.id, agreement.cancel_failures),
            kind: MailKind::OperatorAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!(
                "selectpay: cannot cancel overdue agreement {}",
                agreement.id
            ),
            summary: "The sweep could not cancel this overdue agreement at WorldPay several runs \
                 in a row. It keeps trying; cancel it by hand in the Customer Management System \
                 if this goes on.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Failed attempts", agreement.cancel_failures.to_string()),
                ("Last reason", reason.chars().take(200).collect()),
            ],
        },
    )
}
