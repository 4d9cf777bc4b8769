//! The SQL, one function per read or write, each on a connection or transaction the caller
//! chose. Ties in time are broken by rowid, i.e. by the order rows were written.

use rusqlite::{Connection, Params, params};
use selectpay_domain::cart::{Cart, CartState, Payment};
use selectpay_domain::decision::{CartChange, SavedOutcome};
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::Mail;
use selectpay_domain::ports::{Activity, CartRecord, Delivery, StoreError};
use time::OffsetDateTime;

use super::rows::{self, all, sql_error, time_text};

/// SQLite limits are signed; anything past `i64::MAX` is "no limit" anyway.
fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Unavailable(e.to_string()))
}

fn execute(conn: &Connection, sql: &str, params: impl Params) -> Result<usize, StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .map_err(sql_error)
}

pub fn insert_cart(conn: &Connection, cart: &Cart) -> Result<(), StoreError> {
    let amount = cart.order.amount;
    let minor_units = i64::try_from(amount.minor_units())
        .map_err(|_| StoreError::Unavailable(format!("amount {amount} is too large to store")))?;
    execute(
        conn,
        "INSERT INTO carts (id, amount_minor, currency, description, shopper, custom_fields,
                            status, paid_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            cart.id.as_str(),
            minor_units,
            amount.currency().code(),
            cart.order.description,
            json(&cart.order.shopper)?,
            json(&cart.order.custom_fields)?,
            cart.status.as_str(),
            cart.paid_by.as_ref().map(|t| t.as_str()),
            time_text(cart.created_at)?,
        ],
    )
    .map(drop)
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
    }))
}

pub fn cart_state(conn: &Connection, cart_id: &CartId) -> Result<Option<CartState>, StoreError> {
    let sql = "SELECT status, amount_minor, currency, paid_by FROM carts WHERE id = ?1";
    Ok(all(conn, sql, [cart_id.as_str()], rows::cart_state)?
        .into_iter()
        .next())
}

pub fn saved_outcome(conn: &Connection, key: &str) -> Result<Option<SavedOutcome>, StoreError> {
    let sql = "SELECT * FROM outcomes WHERE key = ?1";
    Ok(all(conn, sql, [key], rows::saved_outcome)?
        .into_iter()
        .next())
}

pub fn mail_exists(conn: &Connection, mail_id: &str) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM mails WHERE id = ?1)")
        .and_then(|mut statement| statement.query_row([mail_id], |row| row.get(0)))
        .map_err(sql_error)
}

pub fn pending_mail(
    conn: &Connection,
    created_before: OffsetDateTime,
    max: usize,
) -> Result<Vec<Mail>, StoreError> {
    all(
        conn,
        "SELECT * FROM mails WHERE sent_at IS NULL AND created_at < ?1
         ORDER BY created_at, rowid LIMIT ?2",
        params![time_text(created_before)?, limit(max)],
        rows::mail,
    )
}

pub fn mark_mail_sent(
    conn: &Connection,
    mail_id: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let sql = "UPDATE mails SET sent_at = ?2 WHERE id = ?1";
    execute(conn, sql, params![mail_id, time_text(at)?]).map(drop)
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

pub fn insert_saved_outcome(conn: &Connection, saved: &SavedOutcome) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO outcomes (key, fingerprint, reply_status, reply_page)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            saved.key,
            saved.fingerprint.as_str(),
            saved.reply.status,
            saved.reply.page,
        ],
    )
    .map(drop)
}

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
            time_text(payment.received_at)?,
        ],
    )
    .map(drop)
}

/// Changes an existing cart; `false` if there is no such cart.
pub fn change_cart(conn: &Connection, change: &CartChange) -> Result<bool, StoreError> {
    let changed = execute(
        conn,
        "UPDATE carts SET status = ?2, paid_by = ?3 WHERE id = ?1",
        params![
            change.cart_id.as_str(),
            change.status.as_str(),
            change.paid_by.as_ref().map(|t| t.as_str()),
        ],
    )?;
    Ok(changed > 0)
}

pub fn insert_delivery(conn: &Connection, delivery: &Delivery) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO deliveries (id, received_at, cart_id, trans_id, outcome, content_type, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            delivery.id,
            time_text(delivery.received_at)?,
            delivery.cart_id,
            delivery.trans_id,
            delivery.outcome,
            delivery.content_type,
            delivery.raw,
        ],
    )
    .map(drop)
}

/// Inserts the mail unless its id is known: the same event reported twice is one mail.
pub fn insert_mail_once(conn: &Connection, mail: &Mail) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO mails (id, kind, cart_id, recipient, subject, text, html, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO NOTHING",
        params![
            mail.id,
            mail.kind.as_str(),
            mail.cart_id.as_ref().map(|c| c.as_str()),
            mail.to.as_str(),
            mail.subject,
            mail.text,
            mail.html,
            time_text(mail.created_at)?,
        ],
    )
    .map(drop)
}
