//! A browser-delivered backup (no `callbackPW`): answered with the page for what the store
//! already knows, and nothing else. It is no evidence, so it changes no cart, agreement or
//! mail; the app records it as a delivery with the outcome `claim`. A claim that a pending
//! cart was paid is also kept for the sweep to follow up (see [`claim_to_follow_up`]).

use serde::Serialize;
use time::OffsetDateTime;

use super::{Context, Decision, Writes};
use crate::callback::backup::{Claim, ClaimedStatus};
use crate::cart::{Cart, CartStatus};
use crate::outcome::Outcome;
use crate::render::RenderError;
use crate::store::ClaimedPayment;

/// What the page shows: the stored order, never the claim's own (unverified) amount.
#[derive(Serialize)]
struct ClaimView<'a> {
    cart_id: &'a str,
    amount: Option<String>,
    description: Option<&'a str>,
    name: Option<&'a str>,
    pre_authorised: bool,
    shop_url: &'a str,
}

/// The thank-you page once the gateway confirmed the payment, the cancelled page once it
/// confirmed the cancel or when the shopper's own result page said cancelled, and
/// otherwise (pending, or a cart we do not know) "we have your payment details and are
/// confirming them".
pub fn answer_claim(
    ctx: &Context,
    claim: &Claim,
    cart: Option<&Cart>,
) -> Result<Decision, RenderError> {
    let status = cart.map(|c| c.status);
    let template = match (status, claim.status) {
        (Some(CartStatus::Paid | CartStatus::Authorised), _) => "page_thanks.html",
        (Some(CartStatus::Cancelled), _) => "page_cancelled.html",
        // A shopper who pressed Cancel must not be told a payment is being confirmed.
        (Some(CartStatus::Pending) | None, ClaimedStatus::Cancelled) => "page_cancelled.html",
        (Some(CartStatus::Pending) | None, _) => "page_confirming.html",
    };
    let view = ClaimView {
        cart_id: claim.cart_id.as_str(),
        amount: cart.map(|c| c.order.amount.to_string()),
        description: cart.map(|c| c.order.description.as_str()),
        name: cart.and_then(|c| c.order.shopper.name.as_deref()),
        pre_authorised: status == Some(CartStatus::Authorised),
        shop_url: ctx.settings.public_base_url.as_str(),
    };
    Ok(Decision {
        outcome: Outcome::Claim,
        reply: ctx.page(template, &view)?,
        writes: Writes::default(),
    })
}

/// What to keep for the sweep: a claim that says `Y` for a cart still pending. A claim for
/// a cart we do not know, or one the gateway already settled, needs no follow-up.
pub fn claim_to_follow_up(
    claim: &Claim,
    cart: Option<&Cart>,
    now: OffsetDateTime,
) -> Option<ClaimedPayment> {
    let pending = cart.is_some_and(|c| c.status == CartStatus::Pending);
    (claim.status == ClaimedStatus::Authorised && pending).then(|| ClaimedPayment {
        cart_id: claim.cart_id.clone(),
        trans_id: claim.trans_id.clone(),
        amount: claim.amount,
        claimed_at: now,
    })
}
