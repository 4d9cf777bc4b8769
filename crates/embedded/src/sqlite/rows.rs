//! Turning rows back into domain values. Every value goes through the domain's own parsers
//! (JSON columns through the types' checked `Deserialize`): a row that does not decode is
//! `Corrupt`, never a panic or a silently odd value.

use std::fmt::Display;

use rusqlite::types::FromSql;
use rusqlite::{Connection, Params, Row, ffi};
use selectpay_domain::callback::Fingerprint;
use selectpay_domain::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::futurepay::{
    Agreement, AgreementStatus, CancelClaim, Interval, IntervalUnit,
};
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::mail::{Mail, MailKind, StoredMail};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::QueuedMail;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::store::{
    ClaimedPayment, Delivery, Reply, SavedOutcome, StoreError, time_text,
};
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

/// How an interval unit is stored: the name `IntervalUnit::parse` reads back.
pub fn unit_name(unit: IntervalUnit) -> &'static str {
    match unit {
        IntervalUnit::Day => "day",
        IntervalUnit::Week => "week",
        IntervalUnit::Month => "month",
        IntervalUnit::Year => "year",
    }
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

pub fn cart_state(row: &Row) -> Result<CartState, StoreError> {
    let status: String = get(row, "status")?;
    let minor_units: i64 = get(row, "amount_minor")?;
    let code: String = get(row, "currency")?;
    let currency = Currency::parse(&code).map_err(|e| corrupt("currency", e))?;
    let minor_units = u64::try_from(minor_units).map_err(|e| corrupt("amount_minor", e))?;
    Ok(CartState {
        status: CartStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        amount: Money::from_minor_units(minor_units, currency),
        paid_by: get::<Option<String>>(row, "paid_by")?
            .map(|t| trans_id(&t, "paid_by"))
            .transpose()?,
        future_pay: optional_json(row, "future_pay")?,
    })
}

/// A claim's amount is both columns or neither.
pub fn claimed_payment(row: &Row) -> Result<ClaimedPayment, StoreError> {
    let minor: Option<i64> = get(row, "amount_minor")?;
    let code: Option<String> = get(row, "currency")?;
    let amount = match (minor, code) {
        (None, None) => None,
        (Some(minor), Some(code)) => Some(Money::from_minor_units(
            u64::try_from(minor).map_err(|e| corrupt("amount_minor", e))?,
            Currency::parse(&code).map_err(|e| corrupt("currency", e))?,
        )),
        _ => return Err(corrupt("amount_minor", "set without its currency or so")),
    };
    Ok(ClaimedPayment {
        cart_id: cart_id(row, "cart_id")?,
        trans_id: get::<Option<String>>(row, "trans_id")?
            .map(|t| trans_id(&t, "trans_id"))
            .transpose()?,
        amount,
        claimed_at: time(row, "claimed_at")?,
    })
}

pub fn cart(row: &Row) -> Result<Cart, StoreError> {
    let state = cart_state(row)?;
    // The domain's Deserialize does not validate; parsing again does.
    let custom_fields: Vec<CustomField> = json(row, "custom_fields")?;
    let custom_fields = custom_fields
        .iter()
        .map(|f| CustomField::parse(f.name(), f.value()).map_err(|e| corrupt("custom_fields", e)))
        .collect::<Result<_, _>>()?;
    let gateway: String = get(row, "gateway")?;
    Ok(Cart {
        id: cart_id(row, "id")?,
        order: Order {
            amount: state.amount,
            description: get(row, "description")?,
            shopper: json::<Shopper>(row, "shopper")?,
            custom_fields,
            future_pay: state.future_pay,
            gateway: gateway.parse().map_err(|e| corrupt("gateway", e))?,
        },
        status: state.status,
        paid_by: state.paid_by,
        created_at: time(row, "created_at")?,
    })
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

pub fn delivery(row: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: get(row, "id")?,
        received_at: time(row, "received_at")?,
        cart_id: get(row, "cart_id")?,
        trans_id: get(row, "trans_id")?,
        outcome: get(row, "outcome")?,
        content_type: get(row, "content_type")?,
        raw: get(row, "raw")?,
        query: get(row, "query")?,
    })
}

pub fn mail(row: &Row) -> Result<Mail, StoreError> {
    let kind: String = get(row, "kind")?;
    let recipient: String = get(row, "recipient")?;
    Ok(Mail {
        id: MailId::from_stored(get::<String>(row, "id")?),
        kind: MailKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        cart_id: optional_cart_id(row, "cart_id")?,
        to: EmailAddress::parse(&recipient).map_err(|e| corrupt("recipient", e))?,
        subject: get(row, "subject")?,
        text: get(row, "text")?,
        html: get(row, "html")?,
        created_at: time(row, "created_at")?,
    })
}

pub fn stored_mail(row: &Row) -> Result<StoredMail, StoreError> {
    Ok(StoredMail {
        mail: mail(row)?,
        sent_at: optional_time(row, "sent_at")?,
    })
}

/// An unsent mail with its place in the queue; `next_attempt_at` is the mail's creation
/// time until it is first claimed.
pub fn queued_mail(row: &Row) -> Result<QueuedMail, StoreError> {
    let mail = mail(row)?;
    Ok(QueuedMail {
        attempts: count(row, "attempts")?,
        next_attempt_at: optional_time(row, "next_attempt_at")?.unwrap_or(mail.created_at),
        claimed_until: optional_time(row, "claimed_until")?,
        last_error: get(row, "last_error")?,
        failed_at: optional_time(row, "failed_at")?,
        mail,
    })
}

pub fn agreement(row: &Row) -> Result<Agreement, StoreError> {
    let id: String = get(row, "id")?;
    let status: String = get(row, "status")?;
    let interval = match (
        get::<Option<String>>(row, "interval_unit")?,
        get::<Option<i64>>(row, "interval_mult")?,
    ) {
        (None, None) => None,
        (Some(unit), Some(mult)) => {
            let unit = IntervalUnit::parse(&unit).ok_or_else(|| corrupt("interval_unit", &unit))?;
            let mult = u16::try_from(mult).map_err(|e| corrupt("interval_mult", e))?;
            Some(Interval::new(unit, mult).map_err(|e| corrupt("interval_mult", e))?)
        }
        _ => {
            return Err(corrupt(
                "interval",
                "unit and multiplier must be set together",
            ));
        }
    };
    let cancel_claim = match (
        get::<Option<String>>(row, "claim_by")?,
        optional_time(row, "claim_until")?,
    ) {
        (None, None) => None,
        (Some(by), Some(until)) => Some(CancelClaim { by, until }),
        _ => return Err(corrupt("claim", "claimant and lease must be set together")),
    };
    let version: i64 = get(row, "version")?;
    Ok(Agreement {
        id: FuturePayId::parse(&id).map_err(|e| corrupt("id", e))?,
        cart_id: cart_id(row, "cart_id")?,
        status: AgreementStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        plan: optional_json(row, "plan")?,
        interval,
        payments_expected: count(row, "payments_expected")?,
        payments_made: count(row, "payments_made")?,
        payments_declined: count(row, "payments_declined")?,
        last_payment_at: optional_time(row, "last_payment_at")?,
        overdue_at: optional_time(row, "overdue_at")?,
        shopper_email: get(row, "shopper_email")?,
        cancel_claim,
        cancel_failures: count(row, "cancel_failures")?,
        version: u64::try_from(version).map_err(|e| corrupt("version", e))?,
        created_at: time(row, "created_at")?,
    })
}
