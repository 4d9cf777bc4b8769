//! The store port, cut by capability: each user takes only what it needs, and a test double
//! implements only what it fakes. Mail waiting to be sent is in [`super::Outbox`].

use std::num::NonZeroUsize;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use super::contract::{
    Activity, AgreementPage, CartRecord, Commit, CommitOrSaved, CommitResult, Delivery, Snapshot,
};
use super::{AwaitingCart, ClaimedPayment};
use crate::cart::Cart;
use crate::futurepay::Agreement;
use crate::idempotency_key::IdempotencyKey;
use crate::ids::{CartId, FuturePayId};

/// What the purchase API and the callback read and write.
#[async_trait]
pub trait Store: Send + Sync {
    /// MUST fail with `AlreadyExists`, writing nothing, if the cart id is taken. A cart that
    /// [awaits its shopper](Cart::awaits_shopper) MUST be listed by [`AwaitingShoppers`] in
    /// the same write, so that no cart is ever sent to the gateway unlisted.
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError>;

    /// MUST return the cart with every payment, mail and agreement recorded for it.
    async fn cart(&self, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError>;

    /// What a decision about `key` for `cart_id` (and the agreement, if any) depends on.
    /// MUST read values the domain would accept: stored data that fails the domain's own
    /// checks is `Corrupt`, never handed back.
    async fn snapshot(
        &self,
        key: &IdempotencyKey,
        cart_id: &CartId,
        agreement: Option<&FuturePayId>,
    ) -> Result<Snapshot, StoreError>;

    async fn agreement(&self, id: &FuturePayId) -> Result<Option<Agreement>, StoreError>;

    /// MUST refuse writes that break [`Writes::check`](super::Writes::check) with
    /// `Invariant`, and a cart change for a cart that does not exist likewise, writing
    /// nothing. Otherwise MUST apply all writes and record the delivery atomically if every
    /// condition holds, and else write nothing and answer `ConditionFailed`. A record that
    /// must be new and exists is `AlreadyExists`; a mail that exists although its guard
    /// held is `Invariant`. Mail is never overwritten.
    async fn commit(&self, commit: &Commit) -> Result<CommitResult, StoreError>;

    /// [`commit`](Self::commit), and when it is refused while the outcome its `OutcomeAbsent`
    /// condition names is saved, MAY hand that outcome back (a store that learns it in the
    /// same request). An outcome handed back MUST be exactly the one stored under that key.
    /// By default none is, and the caller reads a snapshot.
    async fn commit_or_saved(&self, commit: &Commit) -> Result<CommitOrSaved, StoreError> {
        Ok(match self.commit(commit).await? {
            CommitResult::Committed => CommitOrSaved::Committed,
            CommitResult::ConditionFailed => CommitOrSaved::ConditionFailed { saved: None },
        })
    }
}

/// What the sweep of overdue FuturePay agreements reads.
#[async_trait]
pub trait DueAgreements: Send + Sync {
    /// Agreements whose `overdue_at` is at or before `now`, earliest first (ties by id), at
    /// most `limit` of them, and a `next` cursor when more may follow. MUST read from the
    /// sparse index of scheduled agreements, so the cost grows with the number due, not
    /// with the number of agreements. `after` is a previous page's `next`; anything else
    /// MUST be `Corrupt`, never a restart or an end of paging.
    async fn due_agreements(
        &self,
        now: OffsetDateTime,
        after: Option<&str>,
        limit: NonZeroUsize,
    ) -> Result<AgreementPage, StoreError>;
}

/// Browser claims that a cart was paid, kept until the sweep has followed them up.
#[async_trait]
pub trait ClaimFollowUps: Send + Sync {
    /// Records the claim as open unless one was ever recorded for its cart: the first claim
    /// is kept, and a closed one is never reopened. At most one record per cart.
    async fn note_claim(&self, claim: &ClaimedPayment) -> Result<(), StoreError>;

    /// Open claims made at or before `before`, oldest first, at most `limit`. MUST read from
    /// a sparse index of open claims, so the cost grows with the number open.
    async fn open_claims(
        &self,
        before: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<ClaimedPayment>, StoreError>;

    /// The claim for this cart is followed up: no longer listed. Closing a cart with no
    /// open claim changes nothing.
    async fn close_claim(&self, cart_id: &CartId) -> Result<(), StoreError>;
}

/// Carts sent to a gateway whose result only the shopper's browser brings, listed from the
/// moment they are stored until a commit with [`Writes::shopper_returned`] for them.
///
/// [`Writes::shopper_returned`]: super::Writes::shopper_returned
#[async_trait]
pub trait AwaitingShoppers: Send + Sync {
    /// Carts still awaiting their shopper that were stored at or before `stored_by`, oldest
    /// first (ties by cart id), at most `limit`. MUST read from a sparse index of the carts
    /// awaiting their shopper, so the cost grows with the number awaiting, not with the
    /// number of carts.
    async fn stale_carts(
        &self,
        stored_by: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<AwaitingCart>, StoreError>;

    /// The merchant found no payment at the gateway for this cart: it is no longer listed,
    /// and a result that comes after all is handled as any result. Answers whether it was
    /// listed; a cart not listed is left as it is, and nothing is created for it.
    async fn stop_awaiting(&self, cart_id: &CartId) -> Result<bool, StoreError>;
}

/// Listings for people: the local dashboard and the CLI, never a deployed function. These
/// MAY scan everything (DynamoDB's `Scan`), which is why nothing else takes this trait.
#[async_trait]
pub trait Inspect: Send + Sync {
    /// The latest records of each kind, newest first, at most `limit` of each.
    async fn recent(&self, limit: usize) -> Result<Activity, StoreError>;

    /// All agreements, newest first (ties by id), at most `limit`.
    async fn agreements(&self, limit: usize) -> Result<Vec<Agreement>, StoreError>;

    /// Every delivery that named the cart, oldest first, for the cart's page. It MUST read
    /// only that cart's deliveries, however many forged ones other carts have.
    async fn cart_deliveries(&self, cart_id: &CartId) -> Result<Vec<Delivery>, StoreError>;

    /// The cart a payment with this transaction id was recorded for, for people searching.
    async fn cart_of_transaction(&self, trans_id: &str) -> Result<Option<CartId>, StoreError>;

    /// The delivery with this id, for `selectpay replay --delivery`.
    async fn delivery(&self, id: &str) -> Result<Option<Delivery>, StoreError>;
}
