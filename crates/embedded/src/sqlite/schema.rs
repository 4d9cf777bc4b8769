//! The tables (each declared beside its rows, in `rows/`), created on open. Times are UTC
//! text with nine fixed fractional digits, so they read well in `sqlite3` and sort as text
//! in time order.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use selectpay_domain::ports::StoreError;

use super::rows::{self, sql_error};
use super::{awaiting, mail_lease};

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
        Err(StoreError::unavailable(format!(
            "database refused WAL mode (journal mode is {mode})"
        )))
    }
}

/// Creates what is missing, in one transaction so that two processes opening the same
/// file at once cannot both migrate it.
pub fn create(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error)?;
    for table in rows::TABLES {
        tx.execute_batch(table).map_err(sql_error)?;
    }
    tx.execute_batch(awaiting::TABLE).map_err(sql_error)?;
    add_missing_columns(&tx)?;
    tx.execute_batch(mail_lease::QUEUE_INDEX)
        .map_err(sql_error)?;
    tx.commit().map_err(sql_error)
}

/// Columns added since a table was first created: `CREATE TABLE IF NOT EXISTS` leaves an
/// older table as it was, so they are added to it here (empty, i.e. NULL, in old rows).
/// Carts from before the second gateway were all WorldPay's.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("carts", "future_pay", "TEXT"),
    ("agreements", "plan", "TEXT"),
    ("carts", "gateway", "TEXT NOT NULL DEFAULT 'worldpay'"),
    ("deliveries", "query", "TEXT"),
];

fn add_missing_columns(conn: &Connection) -> Result<(), StoreError> {
    for (table, column, kind) in ADDED_COLUMNS.iter().chain(mail_lease::COLUMNS) {
        let present: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
                [table, column],
                |row| row.get(0),
            )
            .map_err(sql_error)?;
        if !present {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))
                .map_err(sql_error)?;
        }
    }
    Ok(())
}
