//! Mail about a FuturePay callback that cannot count: a payment that does not fit the plan
//! the shop sold, one for an agreement we never heard of (with or without a cart), and
//! callbacks from the other mode.

use super::{Alert, alert};
use crate::callback::{CartlessResponse, PaymentResponse};
use crate::cart::ReviewReason;
use crate::decision::Context;
use crate::futurepay::Agreement;
use crate::futurepay::plan_check::PlanAmount;
use crate::ids::{FuturePayId, TransId};
use crate::mail::{Mail, MailKind};
use crate::mail_id::{MailId, utc_hour};
use crate::render::RenderError;
use crate::settings::Mode;
use crate::view::ResponseView;

/// A scheduled payment held for review, beside what the plan allowed; once per payment.
pub(crate) fn payment_held(
    ctx: &Context,
    trans_id: &TransId,
    agreement: &Agreement,
    reason: ReviewReason,
    plan_amount: Option<PlanAmount>,
    view: &ResponseView,
) -> Result<Mail, RenderError> {
    let summary = match reason {
        ReviewReason::AgreementEnded => {
            "WorldPay took a payment on an agreement that has ended here. The service is not \
             running for it: refund the payment in WorldPay's Customer Management System."
        }
        _ => {
            "WorldPay took a scheduled payment that does not match the plan the shop sold, so \
             it was not counted and the agreement's due date did not move. Check the \
             agreement in WorldPay's Customer Management System, and refund the payment or \
             cancel the agreement if it is not right."
        }
    };
    alert(
        ctx,
        Alert {
            id: MailId::review(trans_id),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!(
                "FuturePay payment on agreement {} needs checking",
                agreement.id
            ),
            summary,
            facts: vec![
                ("Reason", reason.as_str().to_owned()),
                ("Agreement", agreement.id.to_string()),
                ("Agreement status", agreement.status.as_str().to_owned()),
                ("Cart", agreement.cart_id.to_string()),
                ("Transaction", trans_id.to_string()),
                ("Amount received", view.amount.clone()),
                (
                    "Plan amount",
                    plan_amount.map_or_else(|| "no plan sold".to_owned(), |a| a.to_string()),
                ),
            ],
        },
    )
}

/// A payment for an agreement we have no record of; once per payment, to the operator,
/// who can bring the agreement in.
pub(crate) fn unknown_agreement_payment(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    id: &FuturePayId,
    view: &ResponseView,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::unknown_agreement_payment(id, trans_id),
            kind: MailKind::OperatorAlert,
            cart_id: Some(&response.cart_id),
            title: &format!("selectpay: payment for unknown FuturePay agreement {id}"),
            summary: "WorldPay took a payment on an agreement selectpay has no record of, \
                 probably because the callback that created it was lost. The payment is \
                 recorded but schedules nothing. Replay the creation callback from WorldPay's \
                 Callback Failure Alert email, or look the agreement up in WorldPay's Customer \
                 Management System.",
            facts: vec![
                ("Agreement", id.to_string()),
                ("Cart", response.cart_id.to_string()),
                ("Transaction", trans_id.to_string()),
                ("Amount received", view.amount.clone()),
            ],
        },
    )
}

/// Callbacks from the other mode than the installation's changed nothing; at most one
/// alert an hour, however many arrive.
pub(crate) fn other_mode(ctx: &Context, response: &PaymentResponse) -> Result<Mail, RenderError> {
    let other = match ctx.settings.mode {
        Mode::Live => "test",
        Mode::Test => "live",
    };
    alert(
        ctx,
        Alert {
            id: MailId::other_mode(ctx.now),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&response.cart_id),
            title: &format!("Callbacks from WorldPay's {other} system ignored"),
            summary: "A cancellation, decline or agreement change arrived in the other mode \
                 than this installation's, so it changed nothing here. Check that the \
                 installation's callback URLs point at the right deployment. This alert is \
                 sent at most once an hour; the deliveries log has each one.",
            facts: vec![
                ("First cart this hour", response.cart_id.to_string()),
                (
                    "Agreement",
                    response
                        .future_pay()
                        .map_or_else(String::new, ToString::to_string),
                ),
                ("Hour (UTC)", utc_hour(ctx.now)),
            ],
        },
    )
}

/// A callback without `cartId` for an agreement we have no record of: nothing to record it
/// against but the delivery; once per distinct delivery, to the operator.
pub(crate) fn cartless_unknown(
    ctx: &Context,
    response: &CartlessResponse,
) -> Result<Mail, RenderError> {
    let id = response.future_pay();
    alert(
        ctx,
        Alert {
            id: MailId::unknown_agreement(id, response.fingerprint()),
            kind: MailKind::OperatorAlert,
            cart_id: None,
            title: &format!("selectpay: callback for unknown FuturePay agreement {id}"),
            summary: "WorldPay sent a callback without a cartId about an agreement selectpay \
                 has no record of, probably because the callback that created it was lost. \
                 Only the delivery is kept. Replay the creation callback from WorldPay's \
                 Callback Failure Alert email, or look the agreement up in WorldPay's Customer \
                 Management System.",
            facts: vec![
                ("Agreement", id.to_string()),
                (
                    "transStatus",
                    response.field("transStatus").unwrap_or("").to_owned(),
                ),
                (
                    "Transaction",
                    response.field("transId").unwrap_or("").to_owned(),
                ),
                (
                    "Amount",
                    format!(
                        "{} {}",
                        response.field("amount").unwrap_or("?"),
                        response.field("currency").unwrap_or("?")
                    ),
                ),
            ],
        },
    )
}
