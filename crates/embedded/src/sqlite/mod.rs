//! The local store (every trait of the store port): one SQLite database, a file for the dev server or in memory for tests.

mod awaiting;
mod claims;
mod commit;
mod inspect;
mod mail_lease;
mod queries;
mod relabel;
mod rows;
mod schema;
#[cfg(feature = "testing")]
mod tamper;

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use rusqlite::Connection;
use selectpay_domain::cart::Cart;
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, MailSetback, QueuedMail};
use selectpay_domain::store::{
    Activity, AgreementPage, AwaitingCart, AwaitingShoppers, CartRecord, ClaimFollowUps,
    ClaimedPayment, Commit, CommitResult, Delivery, DueAgreements, Inspect, Outbox, Snapshot,
    Store, StoreError,
};
use time::OffsetDateTime;

use rows::sql_error;

/// A single connection behind a mutex: SQLite serialises writers anyway, and one connection
/// makes an in-memory database shared by every caller.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if need be) the database file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(sql_error)?;
        schema::prepare_file(&conn)?;
        Self::with(conn)
    }

    /// A fresh, empty database that lives as long as the store.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(Connection::open_in_memory().map_err(sql_error)?)
    }

    fn with(mut conn: Connection) -> Result<Self, StoreError> {
        schema::create(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs blocking SQLite work off the async runtime's worker threads.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while the lock was held dropped its transaction, which rolled back,
            // so the connection is still sound.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut conn)
        })
        .await
        .map_err(StoreError::unavailable)?
    }

    /// Several reads that must see one state, even if another process writes meanwhile.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run(|conn| {
            let tx = conn.transaction().map_err(sql_error)?;
            read(&tx)
        })
        .await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        let cart = cart.clone();
        self.run(move |conn| awaiting::insert_cart(conn, &cart))
            .await
    }

    async fn cart(&self, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
        let cart_id = cart_id.clone();
        self.read(move |conn| queries::cart(conn, &cart_id)).await
    }

    async fn snapshot(
        &self,
        key: &IdempotencyKey,
        cart_id: &CartId,
        agreement: Option<&FuturePayId>,
    ) -> Result<Snapshot, StoreError> {
        let (key, cart_id, agreement) = (key.clone(), cart_id.clone(), agreement.cloned());
        self.read(move |conn| {
            Ok(Snapshot {
                saved: queries::saved_outcome(conn, &key)?,
                cart: queries::cart_state(conn, &cart_id)?,
                agreement: match &agreement {
                    Some(id) => queries::agreement(conn, id)?,
                    None => None,
                },
            })
        })
        .await
    }

    async fn agreement(&self, id: &FuturePayId) -> Result<Option<Agreement>, StoreError> {
        let id = id.clone();
        self.run(move |conn| queries::agreement(conn, &id)).await
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitResult, StoreError> {
        let commit = commit.clone();
        self.run(move |conn| commit::commit(conn, &commit)).await
    }
}

#[async_trait]
impl DueAgreements for SqliteStore {
    async fn due_agreements(
        &self,
        now: OffsetDateTime,
        after: Option<&str>,
        limit: NonZeroUsize,
    ) -> Result<AgreementPage, StoreError> {
        let after = after.map(str::to_owned);
        self.run(move |conn| queries::due_agreements(conn, now, after.as_deref(), limit))
            .await
    }
}

#[async_trait]
impl ClaimFollowUps for SqliteStore {
    async fn note_claim(&self, claim: &ClaimedPayment) -> Result<(), StoreError> {
        let claim = claim.clone();
        self.run(move |conn| rows::note_claim(conn, &claim)).await
    }

    async fn open_claims(
        &self,
        before: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<ClaimedPayment>, StoreError> {
        self.run(move |conn| claims::open_claims(conn, before, limit))
            .await
    }

    async fn close_claim(&self, cart_id: &CartId) -> Result<(), StoreError> {
        let cart_id = cart_id.clone();
        self.run(move |conn| claims::close_claim(conn, &cart_id))
            .await
    }
}

#[async_trait]
impl AwaitingShoppers for SqliteStore {
    async fn stale_carts(
        &self,
        stored_by: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<AwaitingCart>, StoreError> {
        self.run(move |conn| awaiting::stale_carts(conn, stored_by, limit))
            .await
    }

    async fn stop_awaiting(&self, cart_id: &CartId) -> Result<bool, StoreError> {
        let cart_id = cart_id.clone();
        self.run(move |conn| awaiting::returned(conn, &cart_id))
            .await
    }
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        self.run(move |conn| mail_lease::due_mail(conn, now, limit))
            .await
    }

    async fn claim_mail(&self, mail_id: &MailId, claim: &MailClaim) -> Result<bool, StoreError> {
        let (mail_id, claim) = (mail_id.to_owned(), claim.clone());
        self.run(move |conn| mail_lease::claim_mail(conn, &mail_id, &claim))
            .await
    }

    async fn release_mail(
        &self,
        mail_id: &MailId,
        claimed_by: &str,
        setback: &MailSetback,
    ) -> Result<bool, StoreError> {
        let (mail_id, by, setback) = (mail_id.to_owned(), claimed_by.to_owned(), setback.clone());
        self.run(move |conn| mail_lease::release_mail(conn, &mail_id, &by, &setback))
            .await
    }

    async fn unsent_mail(&self, limit: usize) -> Result<Vec<QueuedMail>, StoreError> {
        self.run(move |conn| mail_lease::unsent_mail(conn, limit))
            .await
    }

    async fn requeue_mail(
        &self,
        mail_id: &MailId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mail_id = mail_id.to_owned();
        self.run(move |conn| mail_lease::requeue_mail(conn, &mail_id, now))
            .await
    }

    async fn mark_mail_sent(&self, mail_id: &MailId, at: OffsetDateTime) -> Result<(), StoreError> {
        let mail_id = mail_id.clone();
        self.run(move |conn| queries::mark_mail_sent(conn, &mail_id, at))
            .await
    }
}

#[async_trait]
impl Inspect for SqliteStore {
    async fn recent(&self, limit: usize) -> Result<Activity, StoreError> {
        self.read(move |conn| queries::recent(conn, limit)).await
    }

    async fn agreements(&self, limit: usize) -> Result<Vec<Agreement>, StoreError> {
        self.run(move |conn| queries::agreements(conn, limit)).await
    }

    async fn cart_deliveries(&self, cart_id: &CartId) -> Result<Vec<Delivery>, StoreError> {
        let cart_id = cart_id.clone();
        self.read(move |conn| inspect::cart_deliveries(conn, &cart_id))
            .await
    }

    async fn cart_of_transaction(&self, trans_id: &str) -> Result<Option<CartId>, StoreError> {
        let trans_id = trans_id.to_owned();
        self.read(move |conn| inspect::cart_of_transaction(conn, &trans_id))
            .await
    }

    async fn delivery(&self, id: &str) -> Result<Option<Delivery>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| inspect::delivery(conn, &id)).await
    }
}

#[cfg(test)]
mod tests;
