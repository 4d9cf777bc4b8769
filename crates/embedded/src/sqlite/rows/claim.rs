//! A browser's claim that a cart was paid, one row per cart.

use rusqlite::{Connection, Row, params};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{ClaimedPayment, StoreError};

use super::{cart_id, corrupt, get, time, trans_id};
use crate::sqlite::queries::execute;

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

/// A claim's amount is both columns or neither.
pub fn claimed_payment(row: &Row) -> Result<ClaimedPayment, StoreError> {
    let minor: Option<i64> = get(row, "amount_minor")?;
    let code: Option<String> = get(row, "currency")?;
    let amount = match (minor, code) {
        (None, None) => None,
        (Some(minor), Some(code)) => Some(Money::from_minor_units(
            u64::try_from(minor).map_err(|e| corrupt("amount_minor", e))?,
            Currency::parse(&code).map_err(|e| corrupt("currency", e))?,
        )),
        _ => return Err(corrupt("amount_minor", "set without its currency or so")),
    };
    Ok(ClaimedPayment {
        cart_id: cart_id(row, "cart_id")?,
        trans_id: get::<Option<String>>(row, "trans_id")?
            .map(|t| trans_id(&t, "trans_id"))
            .transpose()?,
        amount,
        claimed_at: time(row, "claimed_at")?,
    })
}
