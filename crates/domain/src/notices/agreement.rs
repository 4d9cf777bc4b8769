//! Mail about FuturePay agreements: the merchant's alerts about callbacks.

use super::{Alert, alert};
use crate::callback::PaymentResponse;
use crate::decision::Context;
use crate::futurepay::{Agreement, AgreementStatus};
use crate::ids::FuturePayId;
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::render::RenderError;
use crate::view::ResponseView;

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
             is unknown, not pending, sold no plan, or expected an immediate payment. The \
             agreement is held in review: neither active nor due here. Resolve it in \
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
    view: &ResponseView,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::agreement_declined(&agreement.id, &response.fingerprint),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!("FuturePay payment declined for agreement {}", agreement.id),
            summary: "A scheduled payment was declined. WorldPay may retry it; if no payment \
                 arrives, the sweep suspends the service once the payment is overdue and \
                 cancels the agreement.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Cart", agreement.cart_id.to_string()),
                ("Description", view.description.unwrap_or("").to_owned()),
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
