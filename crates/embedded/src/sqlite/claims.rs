//! The open browser claims (their rows in `rows/claim.rs`), one per cart until the sweep
//! follows it up: `open` is cleared then, and the row stays so that a later claim does not
//! reopen it.

use std::num::NonZeroUsize;

use rusqlite::{Connection, params};
use selectpay_domain::ids::CartId;
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{ClaimedPayment, StoreError};
use time::OffsetDateTime;

use super::queries::{execute, limit};
use super::rows::{self, all};

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
