//! The callback decision table: what a verified payment response does, given what the store
//! holds. Pure: the store carries out the result atomically, under the conditions it names.
//! This file dispatches; the rows are in `payment`, `agreement`, `scheduled_payment`,
//! `test_mode` and `cartless`, and the mail they write is composed in [`crate::notices`].

mod agreement;
mod cartless;
mod claim;
mod payment;
mod scheduled_payment;
mod test_mode;

pub use claim::{answer_claim, claim_to_follow_up};

pub use crate::store::{
    CartChange, Condition, PaymentRelabel, Reply, SavedOutcome, Snapshot, Writes,
};
pub use cartless::decide_unknown_cartless;

use serde::Serialize;
use time::OffsetDateTime;

use crate::callback::{AgreementEvent, PaymentResponse, TransStatus};
use crate::idempotency_key::IdempotencyKey;
use crate::mail::Mail;
use crate::notices;
use crate::outcome::Outcome;
use crate::render::{RenderError, Templates};
use crate::settings::Settings;
use crate::token::NEW_AGREEMENT_FIELD;
use crate::view::ResponseView;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub reply: Reply,
    pub writes: Writes,
}

/// What a decision, and the mail it writes, needs besides the response and the snapshot.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub templates: &'a Templates,
    pub now: OffsetDateTime,
}

impl Context<'_> {
    fn page(&self, template: &str, view: &impl Serialize) -> Result<Reply, RenderError> {
        Ok(Reply {
            status: 200,
            page: self.templates.render(template, view)?,
        })
    }

    /// The thank-you page of a decision that wrote the shopper's receipt, or found no
    /// address to write one to: the page says a confirmation was mailed only when one was.
    fn thanks(&self, view: &ResponseView, receipt: Option<&Mail>) -> Result<Reply, RenderError> {
        #[derive(Serialize)]
        struct Thanks<'a> {
            #[serde(flatten)]
            view: &'a ResponseView<'a>,
            receipt_mailed: bool,
        }
        let thanks = Thanks {
            view,
            receipt_mailed: receipt.is_some(),
        };
        self.page("page_thanks.html", &thanks)
    }
}

/// What a row decides: its outcome and the page to answer with; its writes go in `Writes`.
type Decided = Result<(Outcome, Reply), RenderError>;

/// Decides what a verified payment response does, given a snapshot of the store.
pub fn decide(
    ctx: &Context,
    response: &PaymentResponse,
    snapshot: &Snapshot,
) -> Result<Decision, RenderError> {
    let sold = snapshot.cart.as_ref().map(|cart| cart.description.as_str());
    let view = ResponseView::new(response, sold, &ctx.settings.public_base_url);
    let key = response.idempotency_key();
    if let Some(saved) = &snapshot.saved {
        return repeat(ctx, response, saved, &key);
    }
    // An authorisation is recorded whatever its mode (and held); anything else from the
    // other gateway must change nothing here.
    if !matches!(response.status, TransStatus::Authorised { .. })
        && !ctx.settings.mode.accepts(response.test_mode)
    {
        return test_mode::refused(ctx, response, &view);
    }
    let cart_condition = match &snapshot.cart {
        None => Condition::CartAbsent(response.cart_id.clone()),
        Some(cart) => Condition::CartIs {
            cart_id: response.cart_id.clone(),
            status: cart.status,
            amount: cart.amount,
            paid_by: cart.paid_by.clone(),
            sells_plan: cart.future_pay.is_some(),
            description: cart.description.clone(),
        },
    };
    let mut writes = Writes {
        conditions: vec![Condition::OutcomeAbsent(key.clone()), cart_condition],
        ..Writes::default()
    };
    if let Some(id) = response.future_pay() {
        writes.conditions.push(match &snapshot.agreement {
            None => Condition::AgreementAbsent(id.clone()),
            Some(existing) => Condition::AgreementAt {
                id: id.clone(),
                version: existing.version,
            },
        });
    }
    let w = &mut writes;
    let (outcome, reply) = match (&response.status, &snapshot.agreement) {
        (
            TransStatus::Authorised {
                trans_id,
                future_pay: Some(_),
            },
            Some(existing),
        ) => scheduled_payment::paid(ctx, response, trans_id, existing, snapshot, &view, w)?,
        (
            TransStatus::Authorised {
                trans_id,
                future_pay: Some(id),
            },
            None,
        ) if response.field(NEW_AGREEMENT_FIELD).is_some() => {
            agreement::first_payment(ctx, response, trans_id, id, snapshot, &view, w)?
        }
        (
            TransStatus::Authorised {
                trans_id,
                future_pay: Some(id),
            },
            None,
        ) => scheduled_payment::unknown(ctx, response, trans_id, id, &view, w)?,
        (
            TransStatus::Authorised {
                trans_id,
                future_pay: None,
            },
            _,
        ) => payment::authorised(ctx, response, trans_id, None, snapshot, &view, w)?,
        (TransStatus::Cancelled { .. }, _) => {
            payment::cancelled(ctx, response, snapshot, &view, w)?
        }
        (
            TransStatus::Agreement {
                id,
                event: AgreementEvent::CreatedWithoutPayment,
            },
            None,
        ) => agreement::created_without_payment(ctx, response, id, snapshot, &view, w)?,
        (
            TransStatus::Agreement {
                event: AgreementEvent::Declined(trans_id),
                ..
            },
            Some(existing),
        ) => agreement::declined(ctx, response, trans_id.as_ref(), existing, &view, w)?,
        (
            TransStatus::Agreement {
                event: AgreementEvent::Ended(status),
                ..
            },
            Some(existing),
        ) => agreement::ended(ctx, *status, existing, &view, w)?,
        // Created twice, or declined or ended before we heard of it.
        (TransStatus::Agreement { id, .. }, _) => agreement::unknown(ctx, response, id, &view, w)?,
    };
    writes.saved_outcome = Some(SavedOutcome {
        key,
        fingerprint: response.fingerprint.clone(),
        reply: reply.clone(),
    });
    Ok(Decision {
        outcome,
        reply,
        writes,
    })
}

/// A key seen before: the same content is a harmless repeat; different content under the
/// same transaction is suspicious and alerts the operator, once per distinct content. A
/// cart's cancels share one key, and a second genuine cancel (another attempt's, carrying
/// the transId of a declined try) moves no money: it is answered like the first, quietly.
fn repeat(
    ctx: &Context,
    response: &PaymentResponse,
    saved: &SavedOutcome,
    key: &IdempotencyKey,
) -> Result<Decision, RenderError> {
    if saved.fingerprint == response.fingerprint {
        return Ok(Decision {
            outcome: Outcome::Duplicate,
            reply: saved.reply.clone(),
            writes: Writes::default(),
        });
    }
    if matches!(response.status, TransStatus::Cancelled { .. }) {
        return Ok(Decision {
            outcome: Outcome::Cancelled,
            reply: saved.reply.clone(),
            writes: Writes::default(),
        });
    }
    Ok(Decision {
        outcome: Outcome::ConflictingDuplicate,
        reply: saved.reply.clone(),
        writes: Writes::alert(notices::conflicting_repeat(ctx, response, key)?),
    })
}
