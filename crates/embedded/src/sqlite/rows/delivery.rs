//! A delivery as received (secrets redacted), whatever it turned out to mean.

use rusqlite::{Connection, Row, params};
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{Delivery, StoreError};

use super::{get, time};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
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
";

pub fn insert_delivery(conn: &Connection, delivery: &Delivery) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO deliveries
             (id, received_at, cart_id, trans_id, outcome, content_type, raw, query)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            delivery.id,
            encode_time(delivery.received_at)?,
            delivery.cart_id,
            delivery.trans_id,
            delivery.outcome,
            delivery.content_type,
            delivery.raw,
            delivery.query,
        ],
    )
    .map(drop)
}

pub fn delivery(row: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: get(row, "id")?,
        received_at: time(row, "received_at")?,
        cart_id: get(row, "cart_id")?,
        trans_id: get(row, "trans_id")?,
        outcome: get(row, "outcome")?,
        content_type: get(row, "content_type")?,
        raw: get(row, "raw")?,
        query: get(row, "query")?,
    })
}
