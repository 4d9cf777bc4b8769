//! Rows of the decision table for a cart's own payment: an authorisation and a cancel.

use super::{CartChange, Context, Decided, Writes};
use crate::callback::PaymentResponse;
use crate::callback::auth_mode::AuthMode;
use crate::callback::risk::RiskSignals;
use crate::cart::{CartStatus, Payment, PaymentStatus, ReviewReason};
use crate::decision::Snapshot;
use crate::ids::{FuturePayId, TransId};
use crate::money::Money;
use crate::notices::{self, Receipted, Unfulfilled};
use crate::outcome::Outcome;
use crate::settings::TestMode;
use crate::view::ResponseView;

/// How an authentic authorisation stands against its cart.
#[derive(Clone, Copy)]
enum Judgement {
    /// Fulfils the cart: paid at once, or pre-authorised to be captured.
    Accepted(AuthMode),
    DoublePayment,
    Review(ReviewReason),
}

impl From<Judgement> for PaymentStatus {
    fn from(judgement: Judgement) -> Self {
        match judgement {
            Judgement::Accepted(AuthMode::Immediate) => PaymentStatus::Accepted,
            Judgement::Accepted(AuthMode::PreAuthorisation) => PaymentStatus::Authorised,
            Judgement::DoublePayment => PaymentStatus::DoublePayment,
            Judgement::Review(reason) => PaymentStatus::Review(reason),
        }
    }
}

/// Whether the payment is for exactly what the cart is due, or why not.
fn amount_check(response: &PaymentResponse, due: Money) -> Result<(), ReviewReason> {
    match response.amount {
        Some(paid) if paid.currency() != due.currency() => Err(ReviewReason::CurrencyMismatch),
        Some(paid) if paid == due => Ok(()),
        None if response.field("currency") != Some(due.currency().code()) => {
            Err(ReviewReason::CurrencyMismatch)
        }
        _ => Err(ReviewReason::AmountMismatch),
    }
}

/// `None` when this very transaction already settled the cart: nothing to do. `agreement`
/// is the FuturePay agreement the callback reports setting up with the payment, if any. Every
/// payment's amount is checked, a second one for a settled cart too: only a right amount
/// there is a double payment to refund.
fn judge(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    agreement: Option<&FuturePayId>,
    snapshot: &Snapshot,
) -> Option<Judgement> {
    let review = |reason| Some(Judgement::Review(reason));
    let cart = match &snapshot.cart {
        _ if !ctx.settings.mode.accepts(response.test_mode) => {
            return review(ReviewReason::TestModeNotAllowed);
        }
        None => return review(ReviewReason::UnknownCart),
        Some(cart) if cart.paid_by.as_ref() == Some(trans_id) => return None,
        Some(cart) => cart,
    };
    if let Err(reason) = amount_check(response, cart.amount) {
        return review(reason);
    }
    if cart.status.is_settled() {
        return Some(Judgement::DoublePayment);
    }
    // A plan sold without an agreement (its fields removed from the form) or an agreement
    // the cart never sold: either way the shop would not get what it sold.
    if cart.future_pay.is_some() != agreement.is_some() {
        return review(ReviewReason::PlanMissing);
    }
    let signals = RiskSignals::from_form(&response.form);
    if !ctx.settings.hold_rules.matches(&signals).is_empty() {
        return review(ReviewReason::Risk);
    }
    Some(Judgement::Accepted(AuthMode::from_form(&response.form)))
}

/// An authorisation of a cart's immediate amount, and of the agreement it sets up if any.
pub(super) fn authorised(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    agreement: Option<&FuturePayId>,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Decided {
    let Some(judgement) = judge(ctx, response, trans_id, agreement, snapshot) else {
        return Ok((Outcome::Duplicate, ctx.page("page_thanks.html", view)?));
    };
    writes.payment = Some(record(ctx, response, trans_id, judgement.into()));
    let due = snapshot.cart.as_ref().map(|cart| cart.amount);
    match judgement {
        Judgement::Accepted(mode) => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: match mode {
                    AuthMode::Immediate => CartStatus::Paid,
                    AuthMode::PreAuthorisation => CartStatus::Authorised,
                },
                paid_by: Some(trans_id.clone()),
            });
            let receipt = notices::receipt(ctx, response, trans_id, Receipted::Order, view)?;
            let page = ctx.thanks(view, receipt.as_ref())?;
            writes.mails.extend(receipt);
            writes
                .mails
                .push(notices::order_notice(ctx, response, trans_id, view)?);
            let outcome = match mode {
                AuthMode::Immediate => Outcome::Paid,
                AuthMode::PreAuthorisation => Outcome::Authorised,
            };
            Ok((outcome, page))
        }
        Judgement::DoublePayment => {
            let why = Unfulfilled::DoublePayment;
            let alert = notices::unfulfilled(ctx, response, trans_id, why, due, view)?;
            writes.mails.push(alert);
            Ok((Outcome::DoublePayment, ctx.page("page_thanks.html", view)?))
        }
        Judgement::Review(reason) => {
            let why = Unfulfilled::Review {
                reason,
                held_agreement: agreement,
            };
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
        Some(cart) if cart.status.is_settled() => {
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
