//! The local [`Store`]: one SQLite database, a file for the dev server or in memory for tests.

mod commit;
mod queries;
mod rows;
mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use rusqlite::Connection;
use selectpay_domain::cart::Cart;
use selectpay_domain::decision::Snapshot;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::Mail;
use selectpay_domain::ports::{Activity, CartRecord, Commit, CommitResult, Store, StoreError};
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

    fn with(conn: Connection) -> Result<Self, StoreError> {
        schema::create(&conn)?;
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
        .map_err(|e| StoreError::Unavailable(format!("store task failed: {e}")))?
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
        self.run(move |conn| queries::insert_cart(conn, &cart))
            .await
    }

    async fn cart(&self, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
        let cart_id = cart_id.clone();
        self.read(move |conn| queries::cart(conn, &cart_id)).await
    }

    async fn snapshot(&self, key: &str, cart_id: &CartId) -> Result<Snapshot, StoreError> {
        let (key, cart_id) = (key.to_owned(), cart_id.clone());
        self.read(move |conn| {
            Ok(Snapshot {
                saved: queries::saved_outcome(conn, &key)?,
                cart: queries::cart_state(conn, &cart_id)?,
            })
        })
        .await
    }

    async fn commit(&self, commit: &Commit) -> Result<CommitResult, StoreError> {
        let commit = commit.clone();
        self.run(move |conn| commit::commit(conn, &commit)).await
    }

    async fn pending_mail(
        &self,
        created_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Mail>, StoreError> {
        self.run(move |conn| queries::pending_mail(conn, created_before, limit))
            .await
    }

    async fn mark_mail_sent(&self, mail_id: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        let mail_id = mail_id.to_owned();
        self.run(move |conn| queries::mark_mail_sent(conn, &mail_id, at))
            .await
    }

    async fn recent(&self, limit: usize) -> Result<Activity, StoreError> {
        self.read(move |conn| queries::recent(conn, limit)).await
    }
}

#[cfg(test)]
mod tests {
    use selectpay_domain::cart::{CartStatus, PaymentStatus};
    use selectpay_domain::decision::{CartChange, Writes};
    use selectpay_store_conformance::fixtures::{cart, delivery, payment, trans_id};
    use time::macros::datetime;

    use super::*;

    async fn execute(store: &SqliteStore, sql: &'static str) {
        store
            .run(move |conn| conn.execute(sql, []).map_err(sql_error))
            .await
            .expect("raw sql");
    }

    #[tokio::test]
    async fn rows_that_do_not_decode_are_corrupt() {
        for damage in [
            "UPDATE carts SET status = 'lost'",
            "UPDATE carts SET currency = 'XXX'",
            "UPDATE carts SET amount_minor = -1",
            "UPDATE carts SET created_at = 'yesterday'",
            "UPDATE carts SET shopper = 'not json'",
            "UPDATE carts SET custom_fields = '[{\"name\":\"X_1\",\"value\":\"v\"}]'",
            "UPDATE carts SET paid_by = ''",
            "UPDATE carts SET description = CAST(X'c328' AS TEXT)",
        ] {
            let store = SqliteStore::in_memory().unwrap();
            let cart = cart("cart-1");
            store.insert_cart(&cart).await.unwrap();
            execute(&store, damage).await;
            let read = store.cart(&cart.id).await;
            assert!(
                matches!(read, Err(StoreError::Corrupt(_))),
                "{damage}: {read:?}"
            );
            let recent = store.recent(10).await;
            assert!(
                matches!(recent, Err(StoreError::Corrupt(_))),
                "{damage}: {recent:?}"
            );
        }
    }

    #[tokio::test]
    async fn times_keep_nanoseconds_and_come_back_in_utc() {
        let store = SqliteStore::in_memory().unwrap();
        let created_at = datetime!(2024-05-01 14:00:00.123456789 +02:00);
        let cart = Cart {
            created_at,
            ..cart("cart-1")
        };
        store.insert_cart(&cart).await.unwrap();
        let read = store.cart(&cart.id).await.unwrap().unwrap().cart.created_at;
        assert_eq!(read, created_at);
        assert_eq!(read.offset(), time::UtcOffset::UTC);
    }

    #[tokio::test]
    async fn a_file_store_is_in_wal_mode_and_keeps_data_when_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("selectpay.db");
        let cart = cart("cart-1");
        SqliteStore::open(&path)
            .unwrap()
            .insert_cart(&cart)
            .await
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        let record = store.cart(&cart.id).await.unwrap().unwrap();
        assert_eq!(record.cart, cart);
        let mode = store
            .run(|conn| {
                conn.query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0))
                    .map_err(sql_error)
            })
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    /// Writes that cannot all be made leave no trace, not even the delivery.
    #[tokio::test]
    async fn a_write_that_fails_rolls_back_the_whole_commit() {
        let store = SqliteStore::in_memory().unwrap();
        let missing = cart("no-such-cart");
        let paid = |trans: &str| Writes {
            payment: Some(payment(
                &missing.id,
                trans,
                PaymentStatus::Accepted,
                missing.created_at,
            )),
            ..Writes::default()
        };
        let first = Commit {
            writes: paid("T1"),
            delivery: delivery("d1", None, missing.created_at),
        };
        store.commit(&first).await.unwrap();

        let unknown_cart = Commit {
            writes: Writes {
                cart_change: Some(CartChange {
                    cart_id: missing.id.clone(),
                    status: CartStatus::Paid,
                    paid_by: Some(trans_id("T2")),
                }),
                ..paid("T2")
            },
            delivery: delivery("d2", None, missing.created_at),
        };
        let result = store.commit(&unknown_cart).await;
        assert!(
            matches!(result, Err(StoreError::Unavailable(_))),
            "{result:?}"
        );

        let same_payment = Commit {
            delivery: delivery("d3", None, missing.created_at),
            ..first
        };
        let result = store.commit(&same_payment).await;
        assert!(
            matches!(result, Err(StoreError::AlreadyExists)),
            "{result:?}"
        );

        let activity = store.recent(10).await.unwrap();
        let deliveries: Vec<_> = activity.deliveries.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(deliveries, ["d1"]);
        assert_eq!(activity.payments.len(), 1);
    }
}
