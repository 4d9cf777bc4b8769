//! The SQL, one function per read or write, each on a connection or transaction the caller
//! chose. Ties in time are broken by rowid, i.e. by the order rows were written.

use std::num::NonZeroUsize;

use rusqlite::{Connection, Params, params};
use selectpay_domain::cart::{Cart, CartState, Payment};
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail::Mail;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{
    Activity, AgreementPage, CartChange, CartRecord, Delivery, DueCursor, SavedOutcome, StoreError,
};
use time::OffsetDateTime;

use super::rows::{self, all, sql_error};

/// SQLite limits are signed; anything past `i64::MAX` is "no limit" anyway.
pub(super) fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::invariant)
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

pub fn insert_cart(conn: &Connection, cart: &Cart) -> Result<(), StoreError> {
    let amount = cart.order.amount;
    let minor_units = i64::try_from(amount.minor_units())
        .map_err(|_| StoreError::invariant(format!("amount {amount} is too large to store")))?;
    execute(
        conn,
        "INSERT INTO carts (id, amount_minor, currency, description, shopper, custom_fields,
                            status, paid_by, created_at, future_pay, gateway)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            cart.id.as_str(),
            minor_units,
            amount.currency().code(),
            cart.order.description,
            json(&cart.order.shopper)?,
            json(&cart.order.custom_fields)?,
            cart.status.as_str(),
            cart.paid_by.as_ref().map(|t| t.as_str()),
            encode_time(cart.created_at)?,
            cart.order.future_pay.as_ref().map(json).transpose()?,
            cart.order.gateway.as_str(),
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
        agreements: all(
            conn,
            "SELECT * FROM agreements WHERE cart_id = ?1 ORDER BY created_at, rowid",
            [id],
            rows::agreement,
        )?,
    }))
}

pub fn cart_state(conn: &Connection, cart_id: &CartId) -> Result<Option<CartState>, StoreError> {
    let sql = "SELECT status, amount_minor, currency, paid_by, future_pay FROM carts WHERE id = ?1";
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

/// Writes the agreement's whole state, replacing what is stored under its id.
pub fn put_agreement(conn: &Connection, agreement: &Agreement) -> Result<(), StoreError> {
    let times = |at: Option<OffsetDateTime>| at.map(encode_time).transpose();
    let version = i64::try_from(agreement.version).map_err(|_| {
        StoreError::invariant(format!(
            "agreement {} version {} is too large to store",
            agreement.id, agreement.version
        ))
    })?;
    let claim = agreement.cancel_claim.as_ref();
    execute(
        conn,
        "INSERT INTO agreements (id, cart_id, status, interval_unit, interval_mult,
                                 payments_expected, payments_made, payments_declined,
                                 last_payment_at, overdue_at, shopper_email, claim_by,
                                 claim_until, cancel_failures, version, created_at, plan)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (id) DO UPDATE SET
            cart_id = excluded.cart_id,
            status = excluded.status,
            interval_unit = excluded.interval_unit,
            interval_mult = excluded.interval_mult,
            payments_expected = excluded.payments_expected,
            payments_made = excluded.payments_made,
            payments_declined = excluded.payments_declined,
            last_payment_at = excluded.last_payment_at,
            overdue_at = excluded.overdue_at,
            shopper_email = excluded.shopper_email,
            claim_by = excluded.claim_by,
            claim_until = excluded.claim_until,
            cancel_failures = excluded.cancel_failures,
            version = excluded.version,
            created_at = excluded.created_at,
            plan = excluded.plan",
        params![
            agreement.id.as_str(),
            agreement.cart_id.as_str(),
            agreement.status.as_str(),
            agreement.interval.map(|i| rows::unit_name(i.unit())),
            agreement.interval.map(|i| i.mult()),
            agreement.payments_expected,
            agreement.payments_made,
            agreement.payments_declined,
            times(agreement.last_payment_at)?,
            times(agreement.overdue_at)?,
            agreement.shopper_email,
            claim.map(|c| c.by.as_str()),
            times(claim.map(|c| c.until))?,
            agreement.cancel_failures,
            version,
            encode_time(agreement.created_at)?,
            agreement.plan.as_ref().map(json).transpose()?,
        ],
    )
    .map(drop)
}

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

/// Inserts a new mail; a known id fails with `AlreadyExists`.
pub fn insert_mail(conn: &Connection, mail: &Mail) -> Result<(), StoreError> {
    execute(
        conn,
        "INSERT INTO mails (id, kind, cart_id, recipient, subject, text, html, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            mail.id.as_str(),
            mail.kind.as_str(),
            mail.cart_id.as_ref().map(|c| c.as_str()),
            mail.to.as_str(),
            mail.subject,
            mail.text,
            mail.html,
            encode_time(mail.created_at)?,
        ],
    )
    .map(drop)
}
