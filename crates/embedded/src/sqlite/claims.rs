//! Browser claims that a cart was paid, one row per cart, until the sweep follows them up:
//! `open` is cleared then, and the row stays so that a later claim does not reopen it.

use std::num::NonZeroUsize;

use rusqlite::{Connection, params};
use selectpay_domain::ids::CartId;
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{ClaimedPayment, StoreError};
use time::OffsetDateTime;

use super::queries::{execute, limit};
use super::rows::{self, all};

/// Partial index (the sparse index): the sweep reads only open claims, however many were
/// followed up.
pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS claims (
    cart_id TEXT PRIMARY KEY NOT NULL,
    trans_id TEXT,
    amount_minor INTEGER,           -- the claimed amount: both or neither
    currency TEXT,
    claimed_at TEXT NOT NULL,
    open INTEGER NOT NULL           -- 1 until the sweep has followed it up
) STRICT;
CREATE INDEX IF NOT EXISTS claims_open ON claims (claimed_at, cart_id) WHERE open = 1;
";

pub fn note_claim(conn: &Connection, claim: &ClaimedPayment) -> Result<(), StoreError> {
    let amount_minor = claim
        .amount
        .map(|m| i64::try_from(m.minor_units()).map_err(StoreError::invariant))
        .transpose()?;
    execute(
        conn,
        "INSERT INTO claims (cart_id, trans_id, amount_minor, currency, claimed_at, open)
         VALUES (?1, ?2, ?3, ?4, ?5, 1) ON CONFLICT (cart_id) DO NOTHING",
        params![
            claim.cart_id.as_str(),
            claim.trans_id.as_ref().map(ToString::to_string),
            amount_minor,
            claim.amount.map(|m| m.currency().to_string()),
            encode_time(claim.claimed_at)?,
        ],
    )
    .map(drop)
}

pub fn open_claims(
    conn: &Connection,
    before: OffsetDateTime,
    max: NonZeroUsize,
) -> Result<Vec<ClaimedPayment>, StoreError> {
    all(
        conn,
        "SELECT * FROM claims WHERE open = 1 AND claimed_at <= ?1
         ORDER BY claimed_at, cart_id LIMIT ?2",
        params![encode_time(before)?, limit(max.get())],
        rows::claimed_payment,
    )
}

pub fn close_claim(conn: &Connection, cart_id: &CartId) -> Result<(), StoreError> {
    execute(
        conn,
        "UPDATE claims SET open = 0 WHERE cart_id = ?1",
        params![cart_id.as_str()],
    )
    .map(drop)
}
