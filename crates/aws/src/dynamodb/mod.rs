//! The store (every trait of the store port) on one DynamoDB table (single-table design; infra/table.json defines it).
//!
//! | item | `pk` | `sk` | notes |
//! |---|---|---|---|
//! | cart | `CART#<cartId>` | `CART` | amount as `amountMinor` (N) + `currency` |
//! | payment | `CART#<cartId>` | `PAYMENT#<transId>` | a cart's payments are one query |
//! | mail pointer | `CART#<cartId>` | `MAIL#<mailId>` | lists a cart's mails in its partition |
//! | agreement pointer | `CART#<cartId>` | `AGREEMENT#<futurePayId>` | likewise its agreements |
//! | mail | `MAIL#<mailId>` | `MAIL` | `pendingPk` + `createdAt` while unsent; `queuePk` + `nextAttemptAt` while to try (mail_lease.rs) |
//! | payment's saved outcome | `TRANS#<transId>` | `OUTCOME` | keyed by `transId` alone: makes it unique |
//! | other saved outcome | `OUTCOME#<key>` | `OUTCOME` | the idempotency key's text |
//! | delivery | `DELIVERY#<cartId>` or `DELIVERY` | `<receivedAt>#<id>` | TTL `expiresAt` |
//! | agreement | `AGREEMENT#<futurePayId>` | `AGREEMENT` | `version` (N); `duePk` + `dueAt` while due |
//! | browser claim | `CLAIM#<cartId>` | `CLAIM` | `duePk = "CLAIMED"` + `dueAt` while open (claims.rs) |
//!
//! A cart's FuturePay plan is one attribute, `futurePay`: the domain's serde JSON as a
//! string, read back through the plan's checked `Deserialize`.
//!
//! Mails are keyed by id alone because `MailAbsent` names nothing else; the pointer, written
//! in the same transaction, lets the cart view find them with one query and one batch read
//! (consistent, unlike an index). Unsent mails carry `pendingPk = "PENDING"`, which puts them
//! in the sparse `pending-mail` index ordered by `createdAt`; marking a mail sent removes it.
//! Times are RFC 3339 UTC with nine fixed fractional digits, so string order is time order.
//!
//! Agreements are keyed by `futurePayId`, as the gateway names them; a pointer in the cart's
//! partition, written in the transaction that creates one, lists them with the cart (one
//! consistent batch read fetches a cart's mails and agreements together). An agreement's
//! overdue time is its `dueAt`; while it has one it also carries `duePk = "DUE"`, which puts
//! it in the sparse `due-agreements` index, and a write that clears it removes both. The
//! sweep queries `duePk = DUE AND dueAt <= now`, so it reads only agreements that are due.
//!
//! One index partition, not shards: an agreement enters, moves in or leaves the index only
//! when it is created, paid or ended, about once per payment interval. A million monthly
//! agreements are under one index write a second on average, against the 1,000 a partition
//! takes, and the sweep's single ordered query needs no merge of shards nor a cursor per
//! shard. Were creations ever to come in bursts near that rate, the index partition would
//! throttle the table's writes (a GSI pushes back on its table): the remedy then is
//! `DUE#0..n` shards queried side by side and merged by `dueAt`.
//!
//! Every SDK error becomes `StoreError::Unavailable`: [`dynamodb_client`] bounds the SDK's
//! own retries and timeouts, so a caller learns of an outage quickly.
//!
//! [`dynamodb_client`]: crate::dynamodb_client

mod awaiting;
mod claims;
pub(crate) mod codec;
mod commit;
mod inspect;
pub(crate) mod keys;
mod mail_lease;
mod reads;

use std::num::NonZeroUsize;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use selectpay_domain::cart::Cart;
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, MailSetback, QueuedMail};
use selectpay_domain::store::{
    Activity, AgreementPage, AwaitingCart, AwaitingShoppers, CartRecord, ClaimFollowUps,
    ClaimedPayment, Commit, CommitOrSaved, CommitResult, Delivery, DueAgreements, Inspect, Outbox,
    Snapshot, Store, StoreError,
};
use time::OffsetDateTime;

use keys::{Item, Key, attr};

#[derive(Clone)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self {
            client,
            table: table_name.into(),
        }
    }
}

/// The SDK error kept as the cause; its `Display` alone is terse ("service error"), so the
/// message carries the whole context too.
pub(crate) fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Unavailable(Box::new(SdkFailure {
        context: DisplayErrorContext(&error).to_string(),
        error: Box::new(error),
    }))
}

/// Puts `item` unless an item with its key exists; `false` if one did, and then nothing
/// was written.
pub(crate) async fn put_new(store: &DynamoStore, item: Item) -> Result<bool, StoreError> {
    let result = store
        .client
        .put_item()
        .table_name(&store.table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", attr::PK)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(unavailable(e)),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{context}")]
struct SdkFailure {
    context: String,
    #[source]
    error: Box<dyn std::error::Error + Send + Sync>,
}

/// Short random pauses for when DynamoDB answers "not now" to a transaction or batch (another
/// transaction holds an item, or unprocessed keys): the other side finishes in milliseconds.
/// Bounded, so that a caller behind API Gateway's 29 s still gets an answer in time.
#[derive(Default)]
struct Backoff {
    tries: u32,
}

impl Backoff {
    const MAX_TRIES: u32 = 8;
    const FIRST: Duration = Duration::from_millis(10);

    async fn wait(&mut self, what: &str) -> Result<(), StoreError> {
        if self.tries >= Self::MAX_TRIES {
            return Err(StoreError::unavailable(format!(
                "{what} after {} tries",
                self.tries + 1
            )));
        }
        // Full jitter keeps contenders that collided once from colliding again in step.
        let ceiling = Self::FIRST * 2u32.pow(self.tries);
        let fraction = getrandom::u32().unwrap_or(u32::MAX / 2);
        let pause = ceiling.mul_f64(f64::from(fraction) / f64::from(u32::MAX));
        self.tries += 1;
        tokio::time::sleep(pause).await;
        Ok(())
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        if cart.awaits_shopper() {
            return awaiting::insert_cart(self, cart).await;
        }
        if put_new(self, codec::cart_item(cart)?).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists)
        }
    }

    async fn cart(&self, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
        reads::cart(self, cart_id).await
    }

    async fn snapshot(
        &self,
        key: &IdempotencyKey,
        cart_id: &CartId,
        agreement: Option<&FuturePayId>,
    ) -> Result<Snapshot, StoreError> {
        reads::snapshot(self, key, cart_id, agreement).await
    }

    async fn agreement(&self, id: &FuturePayId) -> Result<Option<Agreement>, StoreError> {
        reads::agreement(self, id).await
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitResult, StoreError> {
        Ok(match commit::commit(self, commit).await? {
            CommitOrSaved::Committed => CommitResult::Committed,
            CommitOrSaved::ConditionFailed { .. } => CommitResult::ConditionFailed,
        })
    }

    async fn commit_or_saved(&self, commit: &Commit) -> Result<CommitOrSaved, StoreError> {
        commit::commit(self, commit).await
    }
}

#[async_trait]
impl DueAgreements for DynamoStore {
    async fn due_agreements(
        &self,
        now: OffsetDateTime,
        after: Option<&str>,
        limit: NonZeroUsize,
    ) -> Result<AgreementPage, StoreError> {
        reads::due_agreements(self, now, after, limit).await
    }
}

#[async_trait]
impl ClaimFollowUps for DynamoStore {
    async fn note_claim(&self, claim: &ClaimedPayment) -> Result<(), StoreError> {
        claims::note_claim(self, claim).await
    }

    async fn open_claims(
        &self,
        before: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<ClaimedPayment>, StoreError> {
        claims::open_claims(self, before, limit).await
    }

    async fn close_claim(&self, cart_id: &CartId) -> Result<(), StoreError> {
        claims::close_claim(self, cart_id).await
    }
}

#[async_trait]
impl AwaitingShoppers for DynamoStore {
    async fn stale_carts(
        &self,
        stored_by: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<AwaitingCart>, StoreError> {
        awaiting::stale_carts(self, stored_by, limit).await
    }

    async fn stop_awaiting(&self, cart_id: &CartId) -> Result<bool, StoreError> {
        awaiting::stop_awaiting(self, cart_id).await
    }
}

#[async_trait]
impl Outbox for DynamoStore {
    /// An unknown id is no error, but the condition keeps the update from creating a mail.
    async fn mark_mail_sent(&self, mail_id: &MailId, at: OffsetDateTime) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::mail(mail_id).item()))
            .update_expression("SET #sentAt = :at REMOVE #pendingPk, #queuePk")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#sentAt", attr::SENT_AT)
            .expression_attribute_names("#pendingPk", attr::PENDING_PK)
            .expression_attribute_names("#queuePk", attr::QUEUE_PK)
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_values(":at", codec::time(at)?)
            .send()
            .await;
        match result {
            Err(e)
                if !e
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(unavailable(e))
            }
            _ => Ok(()),
        }
    }

    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        mail_lease::due_mail(self, now, limit).await
    }

    async fn claim_mail(&self, mail_id: &MailId, claim: &MailClaim) -> Result<bool, StoreError> {
        mail_lease::claim_mail(self, mail_id, claim).await
    }

    async fn release_mail(
        &self,
        mail_id: &MailId,
        claimed_by: &str,
        setback: &MailSetback,
    ) -> Result<bool, StoreError> {
        mail_lease::release_mail(self, mail_id, claimed_by, setback).await
    }

    async fn unsent_mail(&self, limit: usize) -> Result<Vec<QueuedMail>, StoreError> {
        mail_lease::unsent_mail(self, limit).await
    }

    async fn requeue_mail(
        &self,
        mail_id: &MailId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        mail_lease::requeue_mail(self, mail_id, now).await
    }
}

/// These scan the table: for a dev table or an operator's command only (see `reads::agreements`). No deployed
/// function takes `Inspect`.
#[async_trait]
impl Inspect for DynamoStore {
    async fn recent(&self, limit: usize) -> Result<Activity, StoreError> {
        reads::recent(self, limit).await
    }

    async fn agreements(&self, limit: usize) -> Result<Vec<Agreement>, StoreError> {
        reads::agreements(self, limit).await
    }

    async fn cart_deliveries(&self, cart_id: &CartId) -> Result<Vec<Delivery>, StoreError> {
        inspect::cart_deliveries(self, cart_id).await
    }

    async fn cart_of_transaction(&self, trans_id: &str) -> Result<Option<CartId>, StoreError> {
        inspect::cart_of_transaction(self, trans_id).await
    }

    async fn delivery(&self, id: &str) -> Result<Option<Delivery>, StoreError> {
        inspect::delivery(self, id).await
    }
}
