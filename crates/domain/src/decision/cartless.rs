//! A FuturePay callback without `cartId` whose `futurePayId` we have no record of: there is
//! no cart to record anything against, so only the delivery is kept and the operator told.
//! (With a known agreement the caller answers it as a callback about the agreement's cart.)

use serde::Serialize;

use super::{Context, Decision, Reply, Writes};
use crate::callback::CartlessResponse;
use crate::notices;
use crate::outcome::Outcome;
use crate::render::RenderError;

pub fn decide_unknown_cartless(
    ctx: &Context,
    response: &CartlessResponse,
) -> Result<Decision, RenderError> {
    /// No cart to name: the page is WorldPay's to log, never a shopper's to read.
    #[derive(Serialize)]
    struct Page<'a> {
        cart_id: &'a str,
        shop_url: &'a str,
    }
    let page = ctx.templates.render(
        "page_review.html",
        Page {
            cart_id: "",
            shop_url: ctx.settings.public_base_url.as_str(),
        },
    )?;
    Ok(Decision {
        outcome: Outcome::UnknownAgreement,
        reply: Reply { status: 200, page },
        writes: Writes::alert(notices::cartless_unknown(ctx, response)?),
    })
}
