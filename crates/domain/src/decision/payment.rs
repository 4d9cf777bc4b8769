//! Rows of the decision table for a cart's own payment: an authorisation and a cancel.

use super::{CartChange, Context, Decided, Writes};
use crate::callback::PaymentResponse;
use crate::cart::{CartStatus, Payment, PaymentStatus, ReviewReason};
use crate::decision::Snapshot;
use crate::ids::TransId;
use crate::notices::{self, Receipted, Unfulfilled};
use crate::outcome::Outcome;
use crate::settings::TestMode;
use crate::view::ResponseView;

/// How an authentic authorisation stands against its cart.
#[derive(Clone, Copy)]
enum Judgement {
    Accepted,
    DoublePayment,
    Review(ReviewReason),
}

impl From<Judgement> for PaymentStatus {
    fn from(judgement: Judgement) -> Self {
        match judgement {
            Judgement::Accepted => PaymentStatus::Accepted,
            Judgement::DoublePayment => PaymentStatus::DoublePayment,
            Judgement::Review(reason) => PaymentStatus::Review(reason),
        }
    }
}

/// `None` when this very transaction already paid the cart: nothing to do.
fn judge(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    snapshot: &Snapshot,
) -> Option<Judgement> {
    let review = |reason| Some(Judgement::Review(reason));
    match &snapshot.cart {
        _ if !ctx.settings.mode.accepts(response.test_mode) => {
            review(ReviewReason::TestModeNotAllowed)
        }
        None => review(ReviewReason::UnknownCart),
        Some(cart) if cart.status == CartStatus::Paid => {
            if cart.paid_by.as_ref() == Some(trans_id) {
                None
            } else {
                Some(Judgement::DoublePayment)
            }
        }
        Some(cart) => match response.amount {
            Some(paid) if paid.currency() != cart.amount.currency() => {
                review(ReviewReason::CurrencyMismatch)
            }
            Some(paid) if paid == cart.amount => Some(Judgement::Accepted),
            None if response.field("currency") != Some(cart.amount.currency().code()) => {
                review(ReviewReason::CurrencyMismatch)
            }
            _ => review(ReviewReason::AmountMismatch),
        },
    }
}

pub(super) fn authorised(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let Some(judgement) = judge(ctx, response, trans_id, snapshot) else {
        return Ok((Outcome::Duplicate, ctx.page("page_thanks.html", view)?));
    };
    writes.payment = Some(record(ctx, response, trans_id, judgement.into()));
    let due = snapshot.cart.as_ref().map(|cart| cart.amount);
    match judgement {
        Judgement::Accepted => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: CartStatus::Paid,
                paid_by: Some(trans_id.clone()),
            });
            let receipt = notices::receipt(ctx, response, trans_id, Receipted::Order, view)?;
            writes.mails.extend(receipt);
            writes
                .mails
                .push(notices::order_notice(ctx, response, trans_id, view)?);
            Ok((Outcome::Paid, ctx.page("page_thanks.html", view)?))
        }
        Judgement::DoublePayment => {
            let why = Unfulfilled::DoublePayment;
            let alert = notices::unfulfilled(ctx, response, trans_id, why, due, view)?;
            writes.mails.push(alert);
            Ok((Outcome::DoublePayment, ctx.page("page_thanks.html", view)?))
        }
        Judgement::Review(reason) => {
            let why = Unfulfilled::Review(reason);
            let alert = notices::unfulfilled(ctx, response, trans_id, why, due, view)?;
            writes.mails.push(alert);
            Ok((Outcome::Review(reason), ctx.page("page_review.html", view)?))
        }
    }
}

/// The payment as recorded: the gateway's own text for amount and currency, so a mismatch
/// shows what was really paid.
pub(super) fn record(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    status: PaymentStatus,
) -> Payment {
    let text = |name| response.field(name).map(str::to_owned);
    Payment {
        trans_id: trans_id.clone(),
        cart_id: response.cart_id.clone(),
        status,
        amount: text("amount").unwrap_or_default(),
        currency: text("currency").unwrap_or_default(),
        test_mode: response.test_mode == TestMode::Test,
        auth_mode: text("authMode"),
        avs: text("AVS"),
        card_type: text("cardType"),
        received_at: ctx.now,
    }
}

pub(super) fn cancelled(
    ctx: &Context,
    response: &PaymentResponse,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    match &snapshot.cart {
        Some(cart) if cart.status == CartStatus::Paid => {
            Ok((Outcome::CancelAfterPay, ctx.page("page_thanks.html", view)?))
        }
        Some(cart) if cart.status == CartStatus::Pending => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: CartStatus::Cancelled,
                paid_by: None,
            });
            Ok((Outcome::Cancelled, ctx.page("page_cancelled.html", view)?))
        }
        _ => Ok((Outcome::Cancelled, ctx.page("page_cancelled.html", view)?)),
    }
}
