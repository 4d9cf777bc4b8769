//! Reads for people inspecting one order: its deliveries, one delivery by id, and finding it
//! by transaction.

use rusqlite::Connection;
use selectpay_domain::ids::CartId;
use selectpay_domain::store::{Delivery, StoreError};

use super::rows::{self, all};

pub fn cart_deliveries(conn: &Connection, cart_id: &CartId) -> Result<Vec<Delivery>, StoreError> {
    all(
        conn,
        "SELECT * FROM deliveries WHERE cart_id = ?1 ORDER BY received_at, rowid",
        [cart_id.as_str()],
        rows::delivery,
    )
}

pub fn delivery(conn: &Connection, id: &str) -> Result<Option<Delivery>, StoreError> {
    let found = all(
        conn,
        "SELECT * FROM deliveries WHERE id = ?1",
        [id],
        rows::delivery,
    )?;
    Ok(found.into_iter().next())
}

pub fn cart_of_transaction(
    conn: &Connection,
    trans_id: &str,
) -> Result<Option<CartId>, StoreError> {
    let sql = "SELECT cart_id FROM payments WHERE trans_id = ?1 ORDER BY received_at LIMIT 1";
    let found = all(conn, sql, [trans_id], |row| {
        row.get::<_, String>(0).map_err(rows::sql_error)
    })?;
    found
        .into_iter()
        .next()
        .map(|id| CartId::parse(&id).map_err(|e| StoreError::corrupt(format!("cart id {e}"))))
        .transpose()
}
