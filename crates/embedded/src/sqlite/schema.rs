//! The tables, created on open. Times are UTC text with nine fixed fractional digits, so
//! they read well in `sqlite3` and sort as text in time order.

use std::time::Duration;

use rusqlite::Connection;
use selectpay_domain::ports::StoreError;

use super::rows::sql_error;

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
    created_at TEXT NOT NULL
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
    raw BLOB NOT NULL
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
    sent_at TEXT
) STRICT;
-- Partial: the sweep reads only what is still to send, however much mail has gone out.
CREATE INDEX IF NOT EXISTS mails_pending ON mails (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS mails_by_cart ON mails (cart_id, created_at);
CREATE INDEX IF NOT EXISTS mails_by_created ON mails (created_at);
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
        Err(StoreError::Unavailable(format!(
            "database refused WAL mode (journal mode is {mode})"
        )))
    }
}

pub fn create(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(TABLES).map_err(sql_error)
}
