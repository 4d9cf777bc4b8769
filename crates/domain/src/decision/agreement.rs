//! FuturePay rows of the decision table: an agreement's creation, its scheduled payments,
//! declines and its end.

use super::payment::{authorised, record};
use super::{CartChange, Context, Decided, Writes};
use crate::callback::PaymentResponse;
use crate::callback::trans_time::transaction_time;
use crate::cart::{CartStatus, PaymentStatus};
use crate::decision::Snapshot;
use crate::futurepay::{Agreement, AgreementStatus, SoldPlan};
use crate::ids::{FuturePayId, TransId};
use crate::notices::{self, Unexpected};
use crate::outcome::Outcome;
use crate::view::ResponseView;

/// The agreement a first callback reports, linked to its cart and scheduled by the plan the
/// cart sold, from when the gateway made the transaction.
fn create(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    snapshot: &Snapshot,
) -> Agreement {
    Agreement::new(
        id.clone(),
        response.cart_id.clone(),
        snapshot.cart.as_ref().and_then(|cart| {
            cart.future_pay.clone().map(|plan| SoldPlan {
                plan,
                currency: cart.amount.currency(),
            })
        }),
        response.field("email").map(str::to_owned),
        transaction_time(response.field("transTime"), ctx.now),
    )
}

/// The purchase that sets an agreement up: judged like any purchase, and when it is held the
/// agreement is held with it, so a tampered first payment never starts a schedule.
pub(super) fn first_payment(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    id: &FuturePayId,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let (outcome, reply) = authorised(ctx, response, trans_id, Some(id), snapshot, view, writes)?;
    let agreement = create(ctx, response, id, snapshot);
    writes.agreement = Some(match outcome {
        Outcome::Review(_) => agreement.held_for_review(),
        _ => agreement,
    });
    Ok((outcome, reply))
}

/// An agreement set up with nothing to charge at once: the cart is settled if it sold a plan
/// and asked for nothing now; otherwise the agreement is held for a person to check.
pub(super) fn created_without_payment(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let agreement = create(ctx, response, id, snapshot);
    match &snapshot.cart {
        Some(cart)
            if cart.status == CartStatus::Pending
                && cart.amount.minor_units() == 0
                && cart.future_pay.is_some() =>
        {
            writes.agreement = Some(agreement);
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
            writes.agreement = Some(agreement.held_for_review());
            let why = Unexpected::CreatedWithoutPayment;
            writes
                .mails
                .push(notices::unexpected(ctx, response, id, why)?);
            Ok((
                Outcome::AgreementCreated,
                ctx.page("page_review.html", view)?,
            ))
        }
    }
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
        let mut recorded = record(ctx, response, trans_id, PaymentStatus::Declined);
        recorded.cart_id = agreement.cart_id.clone();
        writes.payment = Some(recorded);
    }
    writes.agreement = Some(agreement.declined());
    writes
        .mails
        .push(notices::agreement_declined(ctx, response, agreement, view)?);
    Ok((
        Outcome::AgreementDeclined,
        ctx.page("page_declined.html", view)?,
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
    if !agreement.status.has_ended() {
        writes.agreement = Some(agreement.ended(status));
        writes
            .mails
            .push(notices::agreement_ended(ctx, status, agreement)?);
    }
    Ok((
        Outcome::AgreementEnded,
        ctx.page("page_cancelled.html", view)?,
    ))
}

/// An agreement event that does not fit what we hold (an agreement we never heard of, or
/// one created twice): kept, and the merchant told.
pub(super) fn unknown(
    ctx: &Context,
    response: &PaymentResponse,
    id: &FuturePayId,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let why = Unexpected::UnknownAgreement;
    writes
        .mails
        .push(notices::unexpected(ctx, response, id, why)?);
    Ok((
        Outcome::UnknownAgreement,
        ctx.page("page_review.html", view)?,
    ))
}
