//! FuturePay rows of the decision table: an agreement's creation, its scheduled payments,
//! declines and its end.

use super::{CartChange, Context, Envelope, Reply, Writes, payment};
use crate::callback::PaymentResponse;
use crate::cart::{CartStatus, PaymentStatus};
use crate::decision::Snapshot;
use crate::email::EmailAddress;
use crate::futurepay::{Agreement, AgreementStatus};
use crate::ids::{FuturePayId, TransId};
use crate::mail::{Mail, MailKind};
use crate::outcome::Outcome;
use crate::render::RenderError;
use crate::view::ResponseView;

type Decided = Result<(Outcome, Reply), RenderError>;

/// The agreement a first callback reports, linked to its cart and scheduled by the plan the
/// cart asked for.
pub(super) fn create(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    snapshot: &Snapshot,
    writes: &mut Writes,
) {
    writes.agreement = Some(Agreement::new(
        id.clone(),
        response.cart_id.clone(),
        snapshot.cart.as_ref().and_then(|c| c.future_pay.as_ref()),
        response.field("email").map(str::to_owned),
        ctx.now,
    ));
}

/// An agreement set up with nothing to charge at once: the cart is settled if it asked for
/// nothing now, and otherwise left for a person to check.
pub(super) fn created_without_payment(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    create(ctx, response, id, snapshot, writes);
    match &snapshot.cart {
        Some(cart) if cart.status == CartStatus::Pending && cart.amount.minor_units() == 0 => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: CartStatus::Paid,
                paid_by: None,
            });
            Ok((
                Outcome::AgreementCreated,
                ctx.page("page_thanks.html", view)?,
            ))
        }
        _ => {
            writes.mails.push(ctx.alert(
                format!("fp-created#{id}"),
                MailKind::MerchantAlert,
                Some(&response.cart_id),
                &format!("FuturePay agreement {id} needs checking"),
                "WorldPay set up an agreement without charging anything now, but the order \
                 is unknown, not pending, or expected an immediate payment. Check it in \
                 WorldPay's Customer Management System.",
                vec![
                    ("Agreement", id.to_string()),
                    ("Cart", response.cart_id.to_string()),
                ],
            )?);
            Ok((
                Outcome::AgreementCreated,
                ctx.page("page_review.html", view)?,
            ))
        }
    }
}

/// A scheduled payment: recorded once, the due time moved on, a receipt for the shopper.
pub(super) fn paid(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    agreement: &Agreement,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let mut recorded = payment(ctx, response, trans_id, PaymentStatus::Accepted);
    recorded.cart_id = agreement.cart_id.clone();
    writes.payment = Some(recorded);
    writes.agreement = Some(agreement.paid(ctx.now));
    let shopper = response
        .field("email")
        .or(agreement.shopper_email.as_deref())
        .and_then(|e| EmailAddress::parse(e).ok());
    if let Some(to) = shopper {
        writes.mails.push(ctx.mail(
            Envelope {
                id: format!("receipt#{trans_id}"),
                kind: MailKind::Receipt,
                to,
                cart_id: Some(&agreement.cart_id),
                subject: format!("Your receipt for agreement {}", agreement.id),
            },
            "mail_receipt",
            view,
        )?);
    }
    Ok((
        Outcome::AgreementPayment,
        ctx.page("page_thanks.html", view)?,
    ))
}

/// A scheduled payment the issuer refused: recorded, and the merchant told.
pub(super) fn declined(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: Option<&TransId>,
    agreement: &Agreement,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    if let Some(trans_id) = trans_id {
        let mut recorded = payment(ctx, response, trans_id, PaymentStatus::Declined);
        recorded.cart_id = agreement.cart_id.clone();
        writes.payment = Some(recorded);
    }
    writes.agreement = Some(agreement.declined());
    writes.mails.push(ctx.alert(
        format!(
            "fp-declined#{}#{}",
            agreement.id,
            response.fingerprint.as_str()
        ),
        MailKind::MerchantAlert,
        Some(&agreement.cart_id),
        &format!("FuturePay payment declined for agreement {}", agreement.id),
        "A scheduled payment was declined. WorldPay may retry it; if no payment arrives, the \
         sweep cancels the agreement once the payment is overdue.",
        vec![
            ("Agreement", agreement.id.to_string()),
            ("Cart", agreement.cart_id.to_string()),
            (
                "Description",
                response.field("desc").unwrap_or("").to_owned(),
            ),
        ],
    )?);
    Ok((
        Outcome::AgreementDeclined,
        ctx.page("page_thanks.html", view)?,
    ))
}

/// The merchant or the shopper ended the agreement at WorldPay.
pub(super) fn ended(
    ctx: &Context,
    status: AgreementStatus,
    agreement: &Agreement,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    if agreement.status == AgreementStatus::Active {
        writes.agreement = Some(agreement.ended(status));
        writes.mails.push(ctx.alert(
            format!("fp-ended#{}", agreement.id),
            MailKind::MerchantAlert,
            Some(&agreement.cart_id),
            &format!("FuturePay agreement {} ended", agreement.id),
            "The agreement was cancelled at WorldPay; no further payments will be taken.",
            vec![
                ("Agreement", agreement.id.to_string()),
                ("Cart", agreement.cart_id.to_string()),
                ("Status", status.as_str().to_owned()),
            ],
        )?);
    }
    Ok((
        Outcome::AgreementEnded,
        ctx.page("page_cancelled.html", view)?,
    ))
}

/// A decline or an end for an agreement we never heard of: kept, and the merchant told.
pub(super) fn unknown(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    writes.mails.push(ctx.alert(
        format!("fp-unknown#{id}#{}", response.fingerprint.as_str()),
        MailKind::MerchantAlert,
        Some(&response.cart_id),
        &format!("Callback for unknown FuturePay agreement {id}"),
        "WorldPay reported on an agreement selectpay has no record of. The delivery is kept; \
         check the agreement in WorldPay's Customer Management System.",
        vec![
            ("Agreement", id.to_string()),
            ("Cart", response.cart_id.to_string()),
        ],
    )?);
    Ok((
        Outcome::UnknownAgreement,
        ctx.page("page_review.html", view)?,
    ))
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
    let mut mails = vec![ctx.alert(
        format!("suspended#{}#merchant", agreement.id),
        MailKind::MerchantAlert,
        Some(&agreement.cart_id),
        &format!(
            "FuturePay agreement {} cancelled for non-payment",
            agreement.id
        ),
        "No payment arrived by the time it was due, so the agreement was cancelled at \
         WorldPay and the service suspended.",
        facts(),
    )?];
    let shopper = agreement
        .shopper_email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok());
    if let Some(to) = shopper {
        mails.push(ctx.notice(
            Envelope {
                id: format!("suspended#{}#shopper", agreement.id),
                kind: MailKind::ShopperNotice,
                to,
                cart_id: Some(&agreement.cart_id),
                subject: format!(
                    "Your subscription for order {} has ended",
                    agreement.cart_id
                ),
            },
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
    ctx.alert(
        format!(
            "sweep-failed#{}#{}",
            agreement.id, agreement.cancel_failures
        ),
        MailKind::OperatorAlert,
        Some(&agreement.cart_id),
        &format!(
            "selectpay: cannot cancel overdue agreement {}",
            agreement.id
        ),
        "The sweep could not cancel this overdue agreement at WorldPay several runs in a row. \
         It keeps trying; cancel it by hand in the Customer Management System if this goes on.",
        vec![
            ("Agreement", agreement.id.to_string()),
            ("Failed attempts", agreement.cancel_failures.to_string()),
            ("Last reason", reason.chars().take(200).collect()),
        ],
    )
}
