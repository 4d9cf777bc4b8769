//! The tables, created on open. Times are UTC text with nine fixed fractional digits, so
//! they read well in `sqlite3` and sort as text in time order.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use selectpay_domain::ports::StoreError;

use super::rows::sql_error;
use super::{awaiting, claims, mail_lease};

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS carts (
    id TEXT PRIMARY KEY NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    shopper TEXT NOT NULL,          -- JSON object
    custom_fields TEXT NOT NULL,    -- JSON array of {name, value}
    status TEXT NOT NULL,
    paid_by TEXT,
    created_at TEXT NOT NULL,
    future_pay TEXT,                -- JSON FuturePayPlan; NULL for a one-off payment
    gateway TEXT NOT NULL DEFAULT 'worldpay'
) STRICT;
CREATE INDEX IF NOT EXISTS carts_by_created ON carts (created_at);

CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    reply_status INTEGER NOT NULL,
    reply_page TEXT NOT NULL
) STRICT;

-- No foreign key to carts: a payment for an unknown cart is recorded for review.
CREATE TABLE IF NOT EXISTS payments (
    trans_id TEXT PRIMARY KEY NOT NULL,
    cart_id TEXT NOT NULL,
    status TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    test_mode INTEGER NOT NULL,
    auth_mode TEXT,
    avs TEXT,
    card_type TEXT,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS payments_by_cart ON payments (cart_id, received_at);
CREATE INDEX IF NOT EXISTS payments_by_received ON payments (received_at);

CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    received_at TEXT NOT NULL,
    cart_id TEXT,
    trans_id TEXT,
    outcome TEXT NOT NULL,
    content_type TEXT,
    raw BLOB NOT NULL,
    query TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS deliveries_by_cart ON deliveries (cart_id, received_at);
CREATE INDEX IF NOT EXISTS deliveries_by_received ON deliveries (received_at);

CREATE TABLE IF NOT EXISTS mails (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    cart_id TEXT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, -- the queue's columns: see mail_lease.rs
    next_attempt_at TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    failed_at TEXT
) STRICT;
-- Partial: the sweep reads only what is still to send, however much mail has gone out.
CREATE INDEX IF NOT EXISTS mails_pending ON mails (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS mails_by_cart ON mails (cart_id, created_at);
CREATE INDEX IF NOT EXISTS mails_by_created ON mails (created_at);

-- No foreign key to carts: an agreement for an unknown cart is kept for review.
CREATE TABLE IF NOT EXISTS agreements (
    id TEXT PRIMARY KEY NOT NULL,
    cart_id TEXT NOT NULL,
    status TEXT NOT NULL,
    interval_unit TEXT,             -- day, week, month or year; NULL when unscheduled
    interval_mult INTEGER,          -- NULL exactly when interval_unit is
    payments_expected INTEGER NOT NULL,
    payments_made INTEGER NOT NULL,
    payments_declined INTEGER NOT NULL,
    last_payment_at TEXT,
    overdue_at TEXT,                -- NULL unless active and scheduled
    shopper_email TEXT,
    claim_by TEXT,                  -- the cancel claim: both or neither
    claim_until TEXT,
    cancel_failures INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    plan TEXT                       -- JSON SoldPlan, the plan its cart sold; NULL if none
) STRICT;
-- Partial (the sparse index): the sweep reads only scheduled agreements, in the order of
-- its keyset paging, however many have ended.
CREATE INDEX IF NOT EXISTS agreements_due ON agreements (overdue_at, id)
    WHERE overdue_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS agreements_by_cart ON agreements (cart_id, created_at);
CREATE INDEX IF NOT EXISTS agreements_by_created ON agreements (created_at);
";

/// How long a writer waits for another process (say the CLI inspecting the same file)
/// before giving up with `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Readers never block the writer and a crash mid-write leaves the last commit intact.
pub fn prepare_file(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_error)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(sql_error)?;
    if mode.eq_ignore_ascii_case("wal") {
        Ok(())
    } else {
        Err(StoreError::unavailable(format!(
            "database refused WAL mode (journal mode is {mode})"
        )))
    }
}

/// Creates what is missing, in one transaction so that two processes opening the same
/// file at once cannot both migrate it.
pub fn create(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error)?;
    tx.execute_batch(TABLES).map_err(sql_error)?;
    tx.execute_batch(claims::TABLE).map_err(sql_error)?;
    tx.execute_batch(awaiting::TABLE).map_err(sql_error)?;
    add_missing_columns(&tx)?;
    tx.execute_batch(mail_lease::QUEUE_INDEX)
        .map_err(sql_error)?;
    tx.commit().map_err(sql_error)
}

/// Columns added since a table was first created: `CREATE TABLE IF NOT EXISTS` leaves an
/// older table as it was, so they are added to it here (empty, i.e. NULL, in old rows).
/// Carts from before the second gateway were all WorldPay's.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("carts", "future_pay", "TEXT"),
    ("agreements", "plan", "TEXT"),
    ("carts", "gateway", "TEXT NOT NULL DEFAULT 'worldpay'"),
    ("deliveries", "query", "TEXT"),
];

fn add_missing_columns(conn: &Connection) -> Result<(), StoreError> {
    for (table, column, kind) in ADDED_COLUMNS.iter().chain(mail_lease::COLUMNS) {
        let present: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
                [table, column],
                |row| row.get(0),
            )
            .map_err(sql_error)?;
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                .map_err(sql_error)?;
        }
    }
    Ok(())
}
