//! The callback decision table: what a verified payment response does, given what the store
//! holds. Pure: the store carries out the result atomically, under the conditions it names.
//! This file dispatches; the rows are in `payment` and `agreement`, and the mail they write
//! is composed in [`crate::notices`].

mod agreement;
mod payment;

use time::OffsetDateTime;

use crate::callback::{AgreementEvent, Fingerprint, PaymentResponse, TransStatus};
use crate::cart::{CartState, CartStatus, Payment};
use crate::futurepay::Agreement;
use crate::ids::{CartId, FuturePayId, TransId};
use crate::mail::Mail;
use crate::money::Money;
use crate::notices;
use crate::outcome::Outcome;
use crate::render::{RenderError, Templates};
use crate::settings::Settings;
use crate::view::ResponseView;

/// The HTTP reply to a delivery; saved so that a repeat gets the very same page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub page: String,
}

/// The outcome of the first delivery under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedOutcome {
    pub key: String,
    pub fingerprint: Fingerprint,
    pub reply: Reply,
}

/// What the store holds that a decision depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub saved: Option<SavedOutcome>,
    pub cart: Option<CartState>,
    pub agreement: Option<Agreement>,
}

impl Snapshot {
    /// The common case assumed without reading: a first delivery for a pending cart of
    /// exactly this amount. The commit's conditions check the assumption.
    pub fn optimistic(response: &PaymentResponse) -> Option<Self> {
        if response.future_pay().is_some() {
            return None;
        }
        response.amount.map(|amount| Self {
            saved: None,
            cart: Some(CartState {
                status: CartStatus::Pending,
                amount,
                paid_by: None,
                future_pay: None,
            }),
            agreement: None,
        })
    }
}

/// A fact that must still hold when the store applies the writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    OutcomeAbsent(String),
    CartAbsent(CartId),
    CartIs {
        cart_id: CartId,
        status: CartStatus,
        amount: Money,
        paid_by: Option<TransId>,
    },
    /// For mail that reports an event with no saved outcome of its own (an alert), so that
    /// whoever commits it knows it is new and sends it.
    MailAbsent(String),
    AgreementAbsent(FuturePayId),
    /// The agreement is still at this version: nothing changed it since it was read.
    AgreementAt {
        id: FuturePayId,
        version: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartChange {
    pub cart_id: CartId,
    pub status: CartStatus,
    pub paid_by: Option<TransId>,
}

/// Everything one decision writes, all or nothing. Every mail's id is covered by a
/// condition (its event's outcome key or `MailAbsent`), so a committed mail is a new mail and
/// the committer sends it: reporting the same event twice sends one mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writes {
    pub conditions: Vec<Condition>,
    pub saved_outcome: Option<SavedOutcome>,
    pub payment: Option<Payment>,
    pub cart_change: Option<CartChange>,
    /// The agreement's new state, written whole; its conditions say what it replaces.
    pub agreement: Option<Agreement>,
    pub mails: Vec<Mail>,
}

impl Writes {
    /// Just an alert, written only if this alert was not written before.
    pub fn alert(mail: Mail) -> Self {
        Self {
            conditions: vec![Condition::MailAbsent(mail.id.clone())],
            mails: vec![mail],
            ..Self::default()
        }
    }

    /// Whether a failed commit of these writes is worth deciding again on fresh data: only
    /// alerts that were already written need not be.
    pub fn depends_on_state(&self) -> bool {
        self.conditions
            .iter()
            .any(|c| !matches!(c, Condition::MailAbsent(_)))
    }
}

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
    fn page(&self, template: &str, view: &ResponseView) -> Result<Reply, RenderError> {
        Ok(Reply {
            status: 200,
            page: self.templates.render(template, view)?,
        })
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
    let view = ResponseView::new(response, &ctx.settings.public_base_url);
    let key = response.idempotency_key();
    if let Some(saved) = &snapshot.saved {
        return repeat(ctx, response, saved, &key);
    }
    let cart_condition = match &snapshot.cart {
        None => Condition::CartAbsent(response.cart_id.clone()),
        Some(cart) => Condition::CartIs {
            cart_id: response.cart_id.clone(),
            status: cart.status,
            amount: cart.amount,
            paid_by: cart.paid_by.clone(),
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
        ) => agreement::paid(ctx, response, trans_id, existing, &view, w)?,
        (
            TransStatus::Authorised {
                trans_id,
                future_pay,
            },
            _,
        ) => {
            if let Some(id) = future_pay {
                agreement::create(ctx, response, id, snapshot, w);
            }
            payment::authorised(ctx, response, trans_id, snapshot, &view, w)?
        }
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
/// same transaction is suspicious and alerts the operator, once per distinct content.
fn repeat(
    ctx: &Context,
    response: &PaymentResponse,
    saved: &SavedOutcome,
    key: &str,
) -> Result<Decision, RenderError> {
    if saved.fingerprint == response.fingerprint {
        return Ok(Decision {
            outcome: Outcome::Duplicate,
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
