//! Mail about a payment for a cart: the merchant's order notice and the alerts for a
//! payment that cannot simply be accepted.

use super::{Alert, Envelope, alert, compose};
use crate::callback::PaymentResponse;
use crate::callback::hold::HoldRule;
use crate::callback::risk::RiskSignals;
use crate::cart::ReviewReason;
use crate::decision::Context;
use crate::idempotency_key::IdempotencyKey;
use crate::ids::{FuturePayId, TransId};
use crate::mail::{Mail, MailKind};
use crate::mail_id::MailId;
use crate::money::Money;
use crate::render::RenderError;
use crate::view::ResponseView;

/// The merchant is told of every paid order, to fulfil it, and of every pre-authorised one,
/// to capture it first.
pub(crate) fn order_notice(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    view: &ResponseView,
) -> Result<Mail, RenderError> {
    let envelope = Envelope {
        id: MailId::order_notice(trans_id),
        kind: MailKind::OrderNotice,
        to: ctx.settings.merchant_email.clone(),
        cart_id: Some(&response.cart_id),
        subject: if view.pre_authorised {
            format!(
                "New order {} to capture ({})",
                response.cart_id, view.amount
            )
        } else {
            format!("New paid order {} ({})", response.cart_id, view.amount)
        },
    };
    compose(ctx, envelope, "mail_order_notice", view)
}

/// Why an authorised payment does not fulfil its cart.
#[derive(Clone, Copy)]
pub(crate) enum Unfulfilled<'a> {
    /// A second transaction for a paid cart: the merchant refunds one.
    DoublePayment,
    /// It does not match its order: nothing is fulfilled until a person checks it, and the
    /// agreement it set up, if any, is held with it.
    Review {
        reason: ReviewReason,
        held_agreement: Option<&'a FuturePayId>,
    },
}

pub(crate) fn unfulfilled(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    why: Unfulfilled<'_>,
    due: Option<Money>,
    view: &ResponseView,
) -> Result<Mail, RenderError> {
    let cart_id = &response.cart_id;
    let facts = payment_facts(response, trans_id, due, view);
    let (id, title, summary, facts) = match why {
        Unfulfilled::DoublePayment => (
            MailId::double_payment(trans_id),
            format!("Double payment for order {cart_id}: refund one"),
            "This order was already paid by another transaction and has now been paid \
             again. Refund one of the two payments in WorldPay's Customer Management System.",
            facts,
        ),
        Unfulfilled::Review {
            reason,
            held_agreement,
        } => (
            MailId::review(trans_id),
            format!("Payment for order {cart_id} needs checking"),
            if reason == ReviewReason::Risk {
                "WorldPay authorised this payment, but its risk signals match your hold rule \
                 (SELECTPAY_HOLD_ON), so the order has not been fulfilled. Check the signals \
                 below and the payment in WorldPay's Customer Management System before \
                 shipping anything; refund it (or do not capture it) if it is not right."
            } else {
                "WorldPay authorised a payment that does not match the order, so the order \
                 has not been fulfilled. Check it in WorldPay's Customer Management System \
                 before shipping anything, and refund it if it is not right."
            },
            [
                vec![("Reason", reason.as_str().to_owned())],
                facts,
                risk_facts(ctx, response, view),
                held_agreement
                    .map(|id| {
                        (
                            "Agreement held in review",
                            format!(
                                "{id}: neither active nor due here. Resolve it in WorldPay's \
                                 Customer Management System (cancel it there if it is not \
                                 right)."
                            ),
                        )
                    })
                    .into_iter()
                    .collect(),
            ]
            .concat(),
        ),
    };
    let alert_about = Alert {
        id,
        kind: MailKind::MerchantAlert,
        cart_id: Some(cart_id),
        title: &title,
        summary,
        facts,
    };
    alert(ctx, alert_about)
}

/// Different content under a key already answered: the operator compares the two, once per
/// distinct content.
pub(crate) fn conflicting_repeat(
    ctx: &Context,
    response: &PaymentResponse,
    key: &IdempotencyKey,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::conflicting_repeat(key, &response.fingerprint),
            kind: MailKind::OperatorAlert,
            cart_id: Some(&response.cart_id),
            title: "selectpay: conflicting repeat of a payment response",
            summary: "A payment response arrived again under the same key with different \
                 content. Nothing was changed; the first response stands. Compare the two \
                 deliveries.",
            facts: vec![
                ("Cart", response.cart_id.to_string()),
                ("Key", key.to_string()),
            ],
        },
    )
}

/// The signals behind a risk hold, and which of the merchant's rules they matched.
fn risk_facts(
    ctx: &Context,
    response: &PaymentResponse,
    view: &ResponseView,
) -> Vec<(&'static str, String)> {
    let held_on: Vec<String> = ctx
        .settings
        .hold_rules
        .matches(&RiskSignals::from_form(&response.form))
        .into_iter()
        .map(HoldRule::name)
        .collect();
    let mut facts = Vec::new();
    if !held_on.is_empty() {
        facts.push(("Held on (SELECTPAY_HOLD_ON)", held_on.join(", ")));
    }
    if let Some(risk) = &view.risk {
        facts.push(("Risk signals", risk.clone()));
    }
    facts
}

/// What was paid against what was due; `due` is `None` for a cart we do not know.
fn payment_facts(
    response: &PaymentResponse,
    trans_id: &TransId,
    due: Option<Money>,
    view: &ResponseView,
) -> Vec<(&'static str, String)> {
    vec![
        ("Cart", response.cart_id.to_string()),
        ("Transaction", trans_id.to_string()),
        ("Amount received", view.amount.clone()),
        (
            "Amount due",
            due.map_or_else(|| "unknown cart".to_owned(), |amount| amount.to_string()),
        ),
    ]
}
