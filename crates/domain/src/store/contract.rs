//! The store contract's vocabulary: what a store reads for a decision ([`Snapshot`]) and
//! the writes it applies all or nothing under their [`Condition`]s ([`Commit`]). The traits
//! that take and give these are in [`super`].

use std::collections::HashSet;

use thiserror::Error;
use time::OffsetDateTime;

use crate::callback::{Fingerprint, PaymentResponse};
use crate::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use crate::futurepay::Agreement;
use crate::idempotency_key::IdempotencyKey;
use crate::ids::{CartId, FuturePayId, TransId};
use crate::mail::{Mail, StoredMail};
use crate::mail_id::MailId;
use crate::mail_queue::MailClaim;
use crate::money::Money;

/// The HTTP reply to a delivery; saved so that a repeat gets the very same page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub page: String,
}

/// The outcome of the first delivery under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedOutcome {
    pub key: IdempotencyKey,
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
        let description = response.field("desc")?.to_owned();
        response.amount.map(|amount| Self {
            saved: None,
            cart: Some(CartState {
                status: CartStatus::Pending,
                amount,
                paid_by: None,
                future_pay: None,
                description,
            }),
            agreement: None,
        })
    }
}

/// A fact that must still hold when the store applies the writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    OutcomeAbsent(IdempotencyKey),
    CartAbsent(CartId),
    CartIs {
        cart_id: CartId,
        status: CartStatus,
        amount: Money,
        paid_by: Option<TransId>,
        /// Whether the cart sells a FuturePay plan: a decision assumed without reading
        /// (see [`Snapshot::optimistic`]) assumes it does not.
        sells_plan: bool,
        /// The description the decision's page and mail show: one assumed from the
        /// callback's `desc` must be the one stored.
        description: String,
    },
    /// For mail that reports an event with no saved outcome of its own (an alert), so that
    /// whoever commits it knows it is new and sends it.
    MailAbsent(MailId),
    AgreementAbsent(FuturePayId),
    /// The agreement is still at this version: nothing changed it since it was read.
    AgreementAt {
        id: FuturePayId,
        version: u64,
    },
}

impl Condition {
    /// Whether `cart`, the stored state of the cart this condition names, satisfies it: the
    /// meaning of `CartIs` for a store that reads the cart to check it. `false` for any
    /// other condition.
    pub fn holds_for_cart(&self, cart: &CartState) -> bool {
        match self {
            Condition::CartIs {
                status,
                amount,
                paid_by,
                sells_plan,
                description,
                ..
            } => {
                cart.status == *status
                    && cart.amount == *amount
                    && cart.paid_by == *paid_by
                    && cart.future_pay.is_some() == *sells_plan
                    && cart.description == *description
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartChange {
    pub cart_id: CartId,
    pub status: CartStatus,
    pub paid_by: Option<TransId>,
}

/// A recorded payment's new status. It is also a condition: the payment must still be
/// `from`, or nothing is written (payments are otherwise never changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRelabel {
    pub cart_id: CartId,
    pub trans_id: TransId,
    pub from: PaymentStatus,
    pub to: PaymentStatus,
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
    /// Payments held after all (WorldPay cancelled their agreement as they landed).
    pub relabels: Vec<PaymentRelabel>,
    pub mails: Vec<Mail>,
    /// The cart's shopper came back from the gateway with a result, whatever it was (paid,
    /// aborted, declined, held): the store MUST stop listing the cart in
    /// [`AwaitingShoppers`](super::AwaitingShoppers) in this same commit, and a cart not
    /// listed is left as it is. Explicit rather than read from the cart's status, because a
    /// declined or held result leaves the cart pending.
    pub shopper_returned: Option<CartId>,
    /// The committer's lease on every mail in `mails`: the store MUST write each of them
    /// already claimed by it (one attempt counted, leased and next due at `until`), as if
    /// [`Outbox::claim_mail`](super::Outbox::claim_mail) had run in the same commit. The
    /// committer then sends without a claim of its own, and no other sender takes the mail
    /// before the lease expires. `None`: the mail is due at once, unclaimed.
    pub mail_lease: Option<MailClaim>,
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

    /// The store contract's rule for mail: every mail is covered by a condition that a
    /// repeat of its event cannot meet (its event's outcome key, the agreement's version or
    /// absence, or `MailAbsent` of its own id), and no id appears twice. So a committed
    /// mail is a new mail and the committer sends it. Stores refuse writes that break it
    /// with `StoreError::Invariant` before writing anything.
    pub fn check(&self) -> Result<(), UnguardedMail> {
        let event_guarded = self.conditions.iter().any(|c| {
            matches!(
                c,
                Condition::OutcomeAbsent(_)
                    | Condition::AgreementAbsent(_)
                    | Condition::AgreementAt { .. }
            )
        });
        let mut seen = HashSet::new();
        for mail in &self.mails {
            let own_guard = self
                .conditions
                .iter()
                .any(|c| matches!(c, Condition::MailAbsent(id) if *id == mail.id));
            if !seen.insert(&mail.id) || !(event_guarded || own_guard) {
                return Err(UnguardedMail(mail.id.clone()));
            }
        }
        Ok(())
    }

    /// Whether a failed commit of these writes is worth deciding again on fresh data: only
    /// alerts that were already written need not be.
    pub fn depends_on_state(&self) -> bool {
        !self.relabels.is_empty()
            || self
                .conditions
                .iter()
                .any(|c| !matches!(c, Condition::MailAbsent(_)))
    }
}

/// Writes that break [`Writes::check`]: this mail could be written twice for one event.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("mail {0} is not guarded by a condition of its own or of its event")]
pub struct UnguardedMail(pub MailId);

/// One delivery to the callback endpoint, kept raw (without the password) so that no
/// payment response is ever lost, whatever became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub received_at: OffsetDateTime,
    pub cart_id: Option<String>,
    pub trans_id: Option<String>,
    pub outcome: String,
    pub content_type: Option<String>,
    pub raw: Vec<u8>,
    /// The query string of a POST's URL (a callback URL configured with one), without the
    /// password; never read as authenticated data.
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub writes: Writes,
    /// The delivery that caused the writes; `None` for the sweep's own changes.
    pub delivery: Option<Delivery>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitResult {
    Committed,
    /// A condition no longer held; nothing was written.
    ConditionFailed,
}

/// What [`Store::commit_or_saved`](super::Store::commit_or_saved) answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOrSaved {
    Committed,
    /// A condition no longer held; nothing was written. `saved` is the outcome stored under
    /// the commit's `OutcomeAbsent` key, when the store learnt it in refusing: a repeat is
    /// decided by its saved outcome alone, so it needs no snapshot.
    ConditionFailed {
        saved: Option<SavedOutcome>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartRecord {
    pub cart: Cart,
    pub payments: Vec<Payment>,
    pub mails: Vec<StoredMail>,
    pub agreements: Vec<Agreement>,
}

/// One page of agreements, and where the next one starts (opaque to callers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementPage {
    pub agreements: Vec<Agreement>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub carts: Vec<Cart>,
    pub payments: Vec<Payment>,
    pub deliveries: Vec<Delivery>,
    pub mails: Vec<StoredMail>,
}
