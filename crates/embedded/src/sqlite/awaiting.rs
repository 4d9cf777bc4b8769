//! Carts awaiting their shopper, one row per cart from its insertion until the commit of the
//! shopper's first result deletes it. A table of its own rather than a filter on the carts'
//! status, because a declined or held result leaves the cart `pending`: only the commit
//! knows that a result came. The index is the sparse one the sweep reads: it holds only
//! the carts still awaited, however many carts were ever sold.

use std::num::NonZeroUsize;

use rusqlite::{Connection, TransactionBehavior, params};
use selectpay_domain::cart::Cart;
use selectpay_domain::ids::CartId;
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{AwaitingCart, StoreError};
use time::OffsetDateTime;

use super::queries::{execute, limit};
use super::rows::{self, all, sql_error};

pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS awaiting_shoppers (
    cart_id TEXT PRIMARY KEY NOT NULL,
    created_at TEXT NOT NULL        -- the cart's, so the oldest are read first
) STRICT;
CREATE INDEX IF NOT EXISTS awaiting_shoppers_by_created
    ON awaiting_shoppers (created_at, cart_id);
";

/// The cart and, if it awaits its shopper, its listing: both or neither.
pub fn insert_cart(conn: &mut Connection, cart: &Cart) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error)?;
    rows::insert_cart(&tx, cart)?;
    if cart.awaits_shopper() {
        execute(
            &tx,
            "INSERT INTO awaiting_shoppers (cart_id, created_at) VALUES (?1, ?2)",
            params![cart.id.as_str(), encode_time(cart.created_at)?],
        )?;
    }
    tx.commit().map_err(sql_error)
}

/// Inside the commit's transaction when the shopper is back, or alone when the merchant
/// gives up on the cart: no longer listed. Whether it was.
pub fn returned(conn: &Connection, cart_id: &CartId) -> Result<bool, StoreError> {
    execute(
        conn,
        "DELETE FROM awaiting_shoppers WHERE cart_id = ?1",
        params![cart_id.as_str()],
    )
    .map(|deleted| deleted > 0)
}

/// Read in the listing's index order, each cart decoded as every cart read is.
pub fn stale_carts(
    conn: &Connection,
    stored_by: OffsetDateTime,
    max: NonZeroUsize,
) -> Result<Vec<AwaitingCart>, StoreError> {
    let carts = all(
        conn,
        "SELECT carts.* FROM awaiting_shoppers AS awaiting
         JOIN carts ON carts.id = awaiting.cart_id
         WHERE awaiting.created_at <= ?1
         ORDER BY awaiting.created_at, awaiting.cart_id LIMIT ?2",
        params![encode_time(stored_by)?, limit(max.get())],
        rows::cart,
    )?;
    Ok(carts.iter().map(AwaitingCart::from).collect())
}
