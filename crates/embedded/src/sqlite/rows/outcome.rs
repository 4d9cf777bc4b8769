//! A saved outcome: the reply given to an idempotency key, answered again to a repeat.

use rusqlite::{Connection, Row, params};
use selectpay_domain::callback::Fingerprint;
use selectpay_domain::store::{Reply, SavedOutcome, StoreError};

use super::{corrupt, get, idempotency_key};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    reply_status INTEGER NOT NULL,
    reply_page TEXT NOT NULL
) STRICT;
";

pub fn insert_saved_outcome(conn: &Connection, saved: &SavedOutcome) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO outcomes (key, fingerprint, reply_status, reply_page)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            saved.key.to_string(),
            saved.fingerprint.as_str(),
            saved.reply.status,
            saved.reply.page,
        ],
    )
    .map(drop)
}

pub fn saved_outcome(row: &Row) -> Result<SavedOutcome, StoreError> {
    let status: i64 = get(row, "reply_status")?;
    Ok(SavedOutcome {
        key: idempotency_key(row, "key")?,
        fingerprint: Fingerprint::from_stored(get(row, "fingerprint")?),
        reply: Reply {
            status: u16::try_from(status).map_err(|e| corrupt("reply_status", e))?,
            page: get(row, "reply_page")?,
        },
    })
}
