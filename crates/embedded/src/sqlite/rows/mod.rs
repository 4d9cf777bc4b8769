//! Domain values to rows and back, one file per table with its `CREATE TABLE`, each writer
//! beside its reader. Every value read back goes through the domain's own parsers (JSON
//! columns through the types' checked `Deserialize`): a row that does not decode is
//! `Corrupt`, never a panic or a silently odd value.

mod agreement;
mod cart;
mod claim;
mod delivery;
mod mail;
mod outcome;
mod payment;

pub use agreement::{agreement, put_agreement};
pub use cart::{cart, cart_state, change_cart, insert_cart};
pub use claim::{claimed_payment, note_claim};
pub use delivery::{delivery, insert_delivery};
pub use mail::{insert_mail, queued_mail, stored_mail};
pub use outcome::{insert_saved_outcome, saved_outcome};
pub use payment::{insert_payment, payment};

/// Every table, in the order they are created.
pub const TABLES: [&str; 7] = [
    cart::TABLE,
    outcome::TABLE,
    payment::TABLE,
    delivery::TABLE,
    mail::TABLE,
    agreement::TABLE,
    claim::TABLE,
];

use std::fmt::Display;

use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row, ffi};
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, TransId};
use selectpay_domain::store::{StoreError, time_text};
use time::OffsetDateTime;

pub fn sql_error(error: rusqlite::Error) -> StoreError {
    use rusqlite::Error as E;
    match &error {
        E::SqliteFailure(failure, _)
            if failure.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::AlreadyExists
        }
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::Utf8Error(..)
        | E::InvalidColumnType(..)
        | E::InvalidColumnName(..) => StoreError::corrupt(error),
        _ => StoreError::unavailable(error),
    }
}

fn corrupt(what: &str, detail: impl Display) -> StoreError {
    StoreError::corrupt(format!("{what}: {detail}"))
}

fn get<T: FromSql>(row: &Row, column: &str) -> Result<T, StoreError> {
    row.get(column).map_err(sql_error)
}

fn time(row: &Row, column: &str) -> Result<OffsetDateTime, StoreError> {
    let text: String = get(row, column)?;
    time_text::decode(&text).map_err(|e| corrupt(column, format_args!("{text:?}: {e}")))
}

fn optional_time(row: &Row, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get::<Option<String>>(row, column)?
        .map(|text| {
            time_text::decode(&text).map_err(|e| corrupt(column, format_args!("{text:?}: {e}")))
        })
        .transpose()
}

fn cart_id(row: &Row, column: &str) -> Result<CartId, StoreError> {
    let text: String = get(row, column)?;
    CartId::parse(&text).map_err(|e| corrupt(column, e))
}

fn optional_cart_id(row: &Row, column: &str) -> Result<Option<CartId>, StoreError> {
    get::<Option<String>>(row, column)?
        .map(|text| CartId::parse(&text).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn trans_id(text: &str, column: &str) -> Result<TransId, StoreError> {
    TransId::parse(text).map_err(|e| corrupt(column, e))
}

fn idempotency_key(row: &Row, column: &str) -> Result<IdempotencyKey, StoreError> {
    let text: String = get(row, column)?;
    IdempotencyKey::from_stored(&text).map_err(|e| corrupt(column, e))
}

fn json<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T, StoreError> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

fn optional_json<T: serde::de::DeserializeOwned>(
    row: &Row,
    column: &str,
) -> Result<Option<T>, StoreError> {
    get::<Option<String>>(row, column)?
        .map(|text| serde_json::from_str(&text).map_err(|e| corrupt(column, e)))
        .transpose()
}

/// A count the domain keeps as `u32`.
fn count(row: &Row, column: &str) -> Result<u32, StoreError> {
    let n: i64 = get(row, column)?;
    u32::try_from(n).map_err(|e| corrupt(column, format_args!("{n}: {e}")))
}

/// Runs a query and decodes every row.
pub fn all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(sql_error)?;
    let mut rows = statement.query(params).map_err(sql_error)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::invariant)
}
