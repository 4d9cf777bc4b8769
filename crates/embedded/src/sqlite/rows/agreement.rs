//! A FuturePay agreement, written whole so a stale state never survives in a column.

use rusqlite::{Connection, Row, params};
use selectpay_domain::futurepay::{
    Agreement, AgreementStatus, CancelClaim, Interval, IntervalUnit,
};
use selectpay_domain::ids::FuturePayId;
use selectpay_domain::store::StoreError;
use selectpay_domain::store::time_text::encode as encode_time;
use time::OffsetDateTime;

use super::{cart_id, corrupt, count, get, optional_json, optional_time, time, to_json};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
-- No foreign key to carts: an agreement for an unknown cart is kept for review.
CREATE TABLE IF NOT EXISTS agreements (
    id TEXT PRIMARY KEY NOT NULL,
    cart_id TEXT NOT NULL,
    status TEXT NOT NULL,
    interval_unit TEXT,             -- day, week, month or year; NULL when unscheduled
    interval_mult INTEGER,          -- NULL exactly when interval_unit is
    payments_expected INTEGER NOT NULL,
    payments_made INTEGER NOT NULL,
    payments_declined INTEGER NOT NULL,
    last_payment_at TEXT,
    overdue_at TEXT,                -- NULL unless active and scheduled
    shopper_email TEXT,
    claim_by TEXT,                  -- the cancel claim: both or neither
    claim_until TEXT,
    cancel_failures INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    plan TEXT                       -- JSON SoldPlan, the plan its cart sold; NULL if none
) STRICT;
-- Partial (the sparse index): the sweep reads only scheduled agreements, in the order of
-- its keyset paging, however many have ended.
CREATE INDEX IF NOT EXISTS agreements_due ON agreements (overdue_at, id)
    WHERE overdue_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS agreements_by_cart ON agreements (cart_id, created_at);
CREATE INDEX IF NOT EXISTS agreements_by_created ON agreements (created_at);
";

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
            agreement.interval.map(|i| i.unit().name()),
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
            agreement.plan.as_ref().map(to_json).transpose()?,
        ],
    )
    .map(drop)
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
