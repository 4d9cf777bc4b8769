//! Damage as the store conformance suite asks for it, written straight to the rows.

use async_trait::async_trait;
use rusqlite::params;
use rusqlite::types::Value;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_store_conformance::Tamper;

use super::SqliteStore;
use super::rows::sql_error;

#[async_trait]
impl Tamper for SqliteStore {
    async fn overwrite_plan(&self, cart_id: &CartId, json: &str) {
        let (id, json) = (cart_id.as_str().to_owned(), json.to_owned());
        self.overwrite(
            "UPDATE carts SET future_pay = ?2 WHERE id = ?1",
            id,
            Value::Text(json),
        )
        .await;
    }

    async fn overwrite_interval_mult(&self, id: &FuturePayId, mult: u32) {
        let sql = "UPDATE agreements SET interval_mult = ?2 WHERE id = ?1";
        self.overwrite(sql, id.as_str().to_owned(), Value::Integer(mult.into()))
            .await;
    }
}

impl SqliteStore {
    /// Runs `sql` on one row, given its id and the new value.
    async fn overwrite(&self, sql: &'static str, id: String, value: Value) {
        let changed = self
            .run(move |conn| conn.execute(sql, params![id, value]).map_err(sql_error))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(changed, 1, "{sql}: no such row");
    }
}
