//! The one change a recorded payment can see: its status, when the sweep holds a payment
//! whose agreement WorldPay cancelled as it landed.

use rusqlite::{Connection, OptionalExtension, params};
use selectpay_domain::cart::PaymentStatus;
use selectpay_domain::ids::{CartId, TransId};
use selectpay_domain::store::{PaymentRelabel, StoreError};

use super::queries::execute;
use super::rows::sql_error;

/// The payment's status, `None` if the cart has no such payment.
pub fn payment_status(
    conn: &Connection,
    cart_id: &CartId,
    trans_id: &TransId,
) -> Result<Option<PaymentStatus>, StoreError> {
    let sql = "SELECT status FROM payments WHERE trans_id = ?1 AND cart_id = ?2";
    let status: Option<String> = conn
        .prepare_cached(sql)
        .and_then(|mut statement| {
            statement
                .query_row(params![trans_id.as_str(), cart_id.as_str()], |row| {
                    row.get(0)
                })
                .optional()
        })
        .map_err(sql_error)?;
    status
        .map(|text| {
            PaymentStatus::parse(&text)
                .ok_or_else(|| StoreError::corrupt(format!("status: {text}")))
        })
        .transpose()
}

/// Writes the relabel, whose `from` status was checked in the same transaction.
pub fn relabel_payment(conn: &Connection, relabel: &PaymentRelabel) -> Result<(), StoreError> {
    execute(
        conn,
        "UPDATE payments SET status = ?3 WHERE trans_id = ?1 AND cart_id = ?2",
        params![
            relabel.trans_id.as_str(),
            relabel.cart_id.as_str(),
            relabel.to.label(),
        ],
    )
    .map(drop)
}
