//! FuturePay rows for a later payment: a `Y` with a `futurePayId` after the purchase. The
//! agreement WorldPay charges can differ from the plan the shop sold, so each payment is
//! checked against the stored plan before it counts.

use super::payment::record;
use super::{Context, Decided, Snapshot, Writes};
use crate::callback::PaymentResponse;
use crate::callback::trans_time::transaction_time;
use crate::cart::{PaymentStatus, ReviewReason};
use crate::futurepay::plan_check::{Agreed, Reported, Standing, check_payment};
use crate::futurepay::{Agreement, SoldPlan};
use crate::ids::{FuturePayId, TransId};
use crate::notices::{self, Receipted};
use crate::outcome::Outcome;
use crate::view::ResponseView;

/// A payment on an agreement we know. Accepted, it moves the due time on (from when the
/// gateway took it) and mails a receipt; held, it changes nothing but the record and tells
/// the merchant, and the shopper's page says only that it was received.
pub(super) fn paid(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    agreement: &Agreement,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    // Agreements recorded before plans were kept on them: their own cart's plan.
    let from_cart = snapshot
        .cart
        .as_ref()
        .filter(|_| agreement.plan.is_none() && response.cart_id == agreement.cart_id)
        .and_then(|cart| {
            cart.future_pay.clone().map(|plan| SoldPlan {
                plan,
                currency: cart.amount.currency(),
            })
        });
    let sold = agreement.plan.as_ref().or(from_cart.as_ref());
    let check = check_payment(
        &Agreed {
            sold,
            cart_id: &agreement.cart_id,
            standing: Standing::of(agreement),
            mode: ctx.settings.mode,
        },
        &Reported {
            amount: response.amount,
            currency: response.field("currency"),
            test_mode: response.test_mode,
            cart_id: Some(&response.cart_id),
        },
    );
    let status = match check.verdict {
        Ok(()) => PaymentStatus::Accepted,
        Err(reason) => PaymentStatus::Review(reason),
    };
    let mut recorded = record(ctx, response, trans_id, status);
    recorded.cart_id = agreement.cart_id.clone();
    writes.payment = Some(recorded);
    match check.verdict {
        Ok(()) => {
            let paid_at = transaction_time(response.field("transTime"), ctx.now);
            let paid = agreement.paid(paid_at);
            let receipted = Receipted::Agreement {
                agreement,
                reactivated: agreement.reactivated_by(&paid),
            };
            writes.agreement = Some(paid);
            let receipt = notices::receipt(ctx, response, trans_id, receipted, view)?;
            let page = ctx.thanks(view, receipt.as_ref())?;
            writes.mails.extend(receipt);
            Ok((Outcome::AgreementPayment, page))
        }
        Err(reason) => {
            let plan_amount = check.plan_amount;
            let alert = notices::payment_held(ctx, trans_id, agreement, reason, plan_amount, view)?;
            writes.mails.push(alert);
            Ok((Outcome::Review(reason), ctx.page("page_review.html", view)?))
        }
    }
}

/// A payment for an agreement we have no record of, most likely because its creation
/// callback was lost. Recorded, but it schedules nothing and creates no agreement: a
/// schedule guessed from it would be wrong, and the sweep would suspend a paying shopper.
pub(super) fn unknown(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    id: &FuturePayId,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let reason = ReviewReason::UnknownAgreement;
    writes.payment = Some(record(
        ctx,
        response,
        trans_id,
        PaymentStatus::Review(reason),
    ));
    let alert = notices::unknown_agreement_payment(ctx, response, trans_id, id, view)?;
    writes.mails.push(alert);
    Ok((Outcome::Review(reason), ctx.page("page_review.html", view)?))
}
