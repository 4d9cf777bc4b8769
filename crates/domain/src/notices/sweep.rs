//! What the FuturePay sweep tells people about an overdue agreement. Each mail's id names
//! the overdue payment it is about, so a later episode of the same agreement mails again
//! while a repeat of one never does.

use super::{Alert, Envelope, alert, notice};
use crate::decision::Context;
use crate::email::EmailAddress;
use crate::futurepay::Agreement;
use crate::mail::{Mail, MailKind};
use crate::mail_id::{MailId, Recipient};
use crate::render::RenderError;

/// Where the sweep left an overdue agreement when it mails about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepNotice {
    /// Suspended here; WorldPay has not (yet) confirmed a cancellation.
    Suspended,
    /// WorldPay confirmed the cancellation.
    Cancelled,
}

/// The overdue payment an agreement's mails are about.
fn episode(agreement: &Agreement) -> String {
    agreement
        .overdue_at
        .map_or_else(|| "unscheduled".to_owned(), |at| at.date().to_string())
}

/// The merchant's and the shopper's mail about `agreement` (as it was while overdue): one
/// each per overdue payment and notice.
pub fn sweep_mails(
    ctx: &Context,
    agreement: &Agreement,
    what: SweepNotice,
) -> Result<Vec<Mail>, RenderError> {
    let (tag, title, summary, shopper_subject, shopper_summary) = match what {
        SweepNotice::Suspended => (
            "suspended",
            format!(
                "FuturePay agreement {} suspended for non-payment",
                agreement.id
            ),
            "No payment arrived by the time it was due, so the service is suspended. A \
             payment that arrives reactivates it; otherwise the sweep cancels the agreement at \
             WorldPay when remote administration is configured (if it is not, cancel it there \
             yourself).",
            format!(
                "Your subscription for order {} is suspended",
                agreement.cart_id
            ),
            "We did not receive your regular payment, so your subscription is suspended. It \
             starts again as soon as a payment arrives; please contact us if you think this \
             is a mistake.",
        ),
        SweepNotice::Cancelled => (
            "cancelled",
            format!(
                "FuturePay agreement {} cancelled for non-payment",
                agreement.id
            ),
            "No payment arrived by the time it was due, so the service was suspended and the \
             agreement cancelled at WorldPay.",
            format!(
                "Your subscription for order {} has ended",
                agreement.cart_id
            ),
            "We did not receive your regular payment, so your recurring payment agreement has \
             been cancelled and the service stopped. Please contact us to set up a new one.",
        ),
    };
    let episode = episode(agreement);
    let facts = || {
        vec![
            ("Agreement", agreement.id.to_string()),
            ("Order", agreement.cart_id.to_string()),
            ("Payment overdue since", episode.clone()),
        ]
    };
    let mut mails = vec![alert(
        ctx,
        Alert {
            id: MailId::overdue_notice(tag, &agreement.id, &episode, Recipient::Merchant),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &title,
            summary,
            facts: facts(),
        },
    )?];
    let shopper = agreement
        .shopper_email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok());
    if let Some(to) = shopper {
        let envelope = Envelope {
            id: MailId::overdue_notice(tag, &agreement.id, &episode, Recipient::Shopper),
            kind: MailKind::ShopperNotice,
            to,
            cart_id: Some(&agreement.cart_id),
            subject: shopper_subject,
        };
        mails.push(notice(ctx, envelope, shopper_summary, facts())?);
    }
    Ok(mails)
}

/// The operator's alert when cancelling an overdue agreement at the gateway keeps failing:
/// once per overdue payment, however many runs fail after it.
pub fn cancel_failure_alert(
    ctx: &Context,
    agreement: &Agreement,
    reason: &str,
) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::cancel_failed(&agreement.id, &episode(agreement)),
            kind: MailKind::OperatorAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!(
                "selectpay: cannot cancel overdue agreement {}",
                agreement.id
            ),
            summary: "The sweep could not cancel this overdue agreement at WorldPay several runs \
                 in a row. The service is suspended here meanwhile. The sweep keeps trying; \
                 cancel it by hand in the Customer Management System if this goes on.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Failed attempts", agreement.cancel_failures.to_string()),
                ("Last reason", reason.chars().take(200).collect()),
            ],
        },
    )
}

/// The merchant's alert when a payment landed while WorldPay was cancelling: WorldPay has
/// cancelled, so the payment buys nothing and must be refunded.
pub fn raced_payment_alert(ctx: &Context, agreement: &Agreement) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::cancelled_at_gateway(&agreement.id, agreement.payments_made),
            kind: MailKind::MerchantAlert,
            cart_id: Some(&agreement.cart_id),
            title: &format!(
                "Refund the last payment on cancelled agreement {}",
                agreement.id
            ),
            summary: "A payment arrived while WorldPay was cancelling this agreement for \
                 non-payment, and WorldPay confirmed the cancellation. The agreement is \
                 cancelled; refund the payment in WorldPay's Customer Management System.",
            facts: vec![
                ("Agreement", agreement.id.to_string()),
                ("Order", agreement.cart_id.to_string()),
                ("Payments made", agreement.payments_made.to_string()),
            ],
        },
    )
}
