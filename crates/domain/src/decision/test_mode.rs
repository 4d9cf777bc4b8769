//! A callback from the other gateway (a test one on a live installation, or a live one on a
//! test installation) that is not an authorisation: it must change no cart or agreement.
//! Authorisations are recorded and held by their own rows.

use super::{Context, Decision, Writes};
use crate::callback::PaymentResponse;
use crate::cart::ReviewReason;
use crate::notices;
use crate::outcome::Outcome;
use crate::render::RenderError;
use crate::view::ResponseView;

/// Changes nothing and saves no outcome, so a genuine callback under the same key still
/// counts; the merchant hears at most once an hour.
pub(super) fn refused(
    ctx: &Context,
    response: &PaymentResponse,
    view: &ResponseView,
) -> Result<Decision, RenderError> {
    Ok(Decision {
        outcome: Outcome::Review(ReviewReason::TestModeNotAllowed),
        reply: ctx.page("page_review.html", view)?,
        writes: Writes::alert(notices::other_mode(ctx, response)?),
    })
}
