//! The reads, one function each, on a connection or transaction the caller chose (the
//! writes of each row stand beside its reader in `rows/`). Ties in time are broken by
//! rowid, i.e. by the order rows were written.

use std::num::NonZeroUsize;

use rusqlite::{Connection, Params, params};
use selectpay_domain::cart::CartState;
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{
    Activity, AgreementPage, CartRecord, DueCursor, SavedOutcome, StoreError,
};
use time::OffsetDateTime;

use super::rows::{self, all, sql_error};

/// SQLite limits are signed; anything past `i64::MAX` is "no limit" anyway.
pub(super) fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<usize, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .map_err(sql_error)
}

pub fn cart(conn: &Connection, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
    let id = cart_id.as_str();
    let Some(cart) = all(conn, "SELECT * FROM carts WHERE id = ?1", [id], rows::cart)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    Ok(Some(CartRecord {
        cart,
        payments: all(
            conn,
            "SELECT * FROM payments WHERE cart_id = ?1 ORDER BY received_at, rowid",
            [id],
            rows::payment,
        )?,
        mails: all(
            conn,
            "SELECT * FROM mails WHERE cart_id = ?1 ORDER BY created_at, rowid",
            [id],
            rows::stored_mail,
        )?,
        agreements: all(
            conn,
            "SELECT * FROM agreements WHERE cart_id = ?1 ORDER BY created_at, rowid",
            [id],
            rows::agreement,
        )?,
    }))
}

pub fn cart_state(conn: &Connection, cart_id: &CartId) -> Result<Option<CartState>, StoreError> {
    let sql = "SELECT status, amount_minor, currency, paid_by, future_pay, description FROM carts \
               WHERE id = ?1";
    Ok(all(conn, sql, [cart_id.as_str()], rows::cart_state)?
        .into_iter()
        .next())
}

pub fn saved_outcome(
    conn: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<SavedOutcome>, StoreError> {
    let sql = "SELECT * FROM outcomes WHERE key = ?1";
    Ok(all(conn, sql, [key.to_string()], rows::saved_outcome)?
        .into_iter()
        .next())
}

pub fn agreement(conn: &Connection, id: &FuturePayId) -> Result<Option<Agreement>, StoreError> {
    let sql = "SELECT * FROM agreements WHERE id = ?1";
    Ok(all(conn, sql, [id.as_str()], rows::agreement)?
        .into_iter()
        .next())
}

/// The stored agreement's version, for conditions; `None` if there is no such agreement.
pub fn agreement_version(conn: &Connection, id: &FuturePayId) -> Result<Option<u64>, StoreError> {
    let sql = "SELECT version FROM agreements WHERE id = ?1";
    let versions = all(conn, sql, [id.as_str()], |row| {
        let version: i64 = row.get(0).map_err(sql_error)?;
        u64::try_from(version)
            .map_err(|e| StoreError::corrupt(format!("agreement {id} version {version}: {e}")))
    })?;
    Ok(versions.into_iter().next())
}

pub const DUE_AGREEMENTS: &str = "SELECT * FROM agreements INDEXED BY agreements_due
    WHERE overdue_at IS NOT NULL AND overdue_at <= ?1 AND (overdue_at, id) > (?2, ?3)
    ORDER BY overdue_at, id LIMIT ?4";

/// Keyset paging over the partial index `agreements_due` (which `INDEXED BY` insists on):
/// each page starts just after the previous page's last `(overdue_at, id)`, so agreements
/// that leave the list meanwhile shift nothing. One row more than the page is read to tell
/// whether another page follows.
pub fn due_agreements(
    conn: &Connection,
    now: OffsetDateTime,
    after: Option<&str>,
    max: NonZeroUsize,
) -> Result<AgreementPage, StoreError> {
    let max = max.get();
    // Every stored time sorts after the empty text, so no cursor means from the start.
    let (after_at, after_id) = match after.map(DueCursor::decode).transpose()? {
        Some(cursor) => (
            encode_time(cursor.overdue_at)?,
            cursor.id.as_str().to_owned(),
        ),
        None => (String::new(), String::new()),
    };
    let mut agreements = all(
        conn,
        DUE_AGREEMENTS,
        params![
            encode_time(now)?,
            after_at,
            after_id,
            limit(max).saturating_add(1)
        ],
        rows::agreement,
    )?;
    let next = if agreements.len() > max {
        agreements.truncate(max);
        let last = agreements.last().ok_or_else(|| {
            StoreError::invariant("a page with more rows than its limit is empty")
        })?;
        Some(DueCursor::after(last)?.encode()?)
    } else {
        None
    };
    Ok(AgreementPage { agreements, next })
}

pub fn agreements(conn: &Connection, max: usize) -> Result<Vec<Agreement>, StoreError> {
    all(
        conn,
        "SELECT * FROM agreements ORDER BY created_at DESC, rowid DESC LIMIT ?1",
        [limit(max)],
        rows::agreement,
    )
}

pub fn mail_exists(conn: &Connection, mail_id: &MailId) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM mails WHERE id = ?1)")
        .and_then(|mut statement| statement.query_row([mail_id.as_str()], |row| row.get(0)))
        .map_err(sql_error)
}

pub fn mark_mail_sent(
    conn: &Connection,
    mail_id: &MailId,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let sql = "UPDATE mails SET sent_at = ?2 WHERE id = ?1";
    execute(conn, sql, params![mail_id.as_str(), encode_time(at)?]).map(drop)
}

pub fn recent(conn: &Connection, max: usize) -> Result<Activity, StoreError> {
    let max = limit(max);
    Ok(Activity {
        carts: all(
            conn,
            "SELECT * FROM carts ORDER BY created_at DESC, rowid DESC LIMIT ?1",
            [max],
            rows::cart,
        )?,
        payments: all(
            conn,
            "SELECT * FROM payments ORDER BY received_at DESC, rowid DESC LIMIT ?1",
            [max],
            rows::payment,
        )?,
        deliveries: all(
            conn,
            "SELECT * FROM deliveries ORDER BY received_at DESC, rowid DESC LIMIT ?1",
            [max],
            rows::delivery,
        )?,
        mails: all(
            conn,
            "SELECT * FROM mails ORDER BY created_at DESC, rowid DESC LIMIT ?1",
            [max],
            rows::stored_mail,
        )?,
    })
}
