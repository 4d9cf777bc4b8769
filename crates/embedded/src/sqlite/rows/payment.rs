//! A payment as the gateway reported it, kept for the merchant's review.

use rusqlite::{Connection, Row, params};
use selectpay_domain::cart::{Payment, PaymentStatus};
use selectpay_domain::store::StoreError;
use selectpay_domain::store::time_text::encode as encode_time;

use super::{cart_id, corrupt, get, time, trans_id};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
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
";

pub fn insert_payment(conn: &Connection, payment: &Payment) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO payments (trans_id, cart_id, status, amount, currency, test_mode,
                               auth_mode, avs, card_type, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            payment.trans_id.as_str(),
            payment.cart_id.as_str(),
            payment.status.label(),
            payment.amount,
            payment.currency,
            payment.test_mode,
            payment.auth_mode,
            payment.avs,
            payment.card_type,
            encode_time(payment.received_at)?,
        ],
    )
    .map(drop)
}

pub fn payment(row: &Row) -> Result<Payment, StoreError> {
    let trans: String = get(row, "trans_id")?;
    let status: String = get(row, "status")?;
    Ok(Payment {
        trans_id: trans_id(&trans, "trans_id")?,
        cart_id: cart_id(row, "cart_id")?,
        status: PaymentStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        amount: get(row, "amount")?,
        currency: get(row, "currency")?,
        test_mode: get(row, "test_mode")?,
        auth_mode: get(row, "auth_mode")?,
        avs: get(row, "avs")?,
        card_type: get(row, "card_type")?,
        received_at: time(row, "received_at")?,
    })
}
