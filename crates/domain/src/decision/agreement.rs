//! FuturePay rows of the decision table: an agreement's creation, its scheduled payments,
//! declines and its end.

use super::payment::record;
use super::{CartChange, Context, Decided, Writes};
use crate::callback::PaymentResponse;
use crate::cart::{CartStatus, PaymentStatus};
use crate::decision::Snapshot;
use crate::futurepay::{Agreement, AgreementStatus};
use crate::ids::{FuturePayId, TransId};
use crate::notices::{self, Receipted, Unexpected};
use crate::outcome::Outcome;
use crate::view::ResponseView;

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

/// A scheduled payment: recorded once, the due time moved on, a receipt for the shopper.
pub(super) fn paid(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    agreement: &Agreement,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let mut recorded = record(ctx, response, trans_id, PaymentStatus::Accepted);
    recorded.cart_id = agreement.cart_id.clone();
    writes.payment = Some(recorded);
    writes.agreement = Some(agreement.paid(ctx.now));
    let receipt = notices::receipt(
        ctx,
        response,
        trans_id,
        Receipted::Agreement(agreement),
        view,
    )?;
    writes.mails.extend(receipt);
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
        let mut recorded = record(ctx, response, trans_id, PaymentStatus::Declined);
        recorded.cart_id = agreement.cart_id.clone();
        writes.payment = Some(recorded);
    }
    writes.agreement = Some(agreement.declined());
    writes
        .mails
        .push(notices::agreement_declined(ctx, response, agreement)?);
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
