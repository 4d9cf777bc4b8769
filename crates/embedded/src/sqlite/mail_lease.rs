//! The mail queue on the `mails` table: a mail's next attempt is `next_attempt_at` (its
//! creation time until first claimed), a claim is `claimed_by` + `claimed_until`, and a
//! parked mail has `failed_at`. Each change is one conditional `UPDATE`, so two processes on
//! the same file (the server's loop beside `selectpay sweep`) cannot both take a lease.

use rusqlite::{Connection, params};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, MailSetback, QueuedMail};
use selectpay_domain::store::StoreError;
use selectpay_domain::store::time_text::encode as encode_time;
use time::OffsetDateTime;

use super::queries::{execute, limit};
use super::rows::{self, all};

/// Columns the queue added to `mails`, for databases created before it.
pub const COLUMNS: &[(&str, &str, &str)] = &[
    ("mails", "attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("mails", "next_attempt_at", "TEXT"),
    ("mails", "claimed_by", "TEXT"),
    ("mails", "claimed_until", "TEXT"),
    ("mails", "last_error", "TEXT"),
    ("mails", "failed_at", "TEXT"),
];

/// Partial: redelivery reads only mail still to try, in next-attempt order, however much
/// has gone out or been parked. Created once the columns exist.
pub const QUEUE_INDEX: &str = "
CREATE INDEX IF NOT EXISTS mails_queue ON mails (COALESCE(next_attempt_at, created_at))
    WHERE sent_at IS NULL AND failed_at IS NULL;
";

/// Whether the conditional update changed the mail.
fn changed(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<bool, StoreError> {
    execute(conn, sql, params).map(|rows| rows == 1)
}

pub fn due_mail(
    conn: &Connection,
    now: OffsetDateTime,
    max: usize,
) -> Result<Vec<QueuedMail>, StoreError> {
    all(
        conn,
        "SELECT * FROM mails
         WHERE sent_at IS NULL AND failed_at IS NULL AND COALESCE(next_attempt_at, created_at) <= ?1
         ORDER BY COALESCE(next_attempt_at, created_at), rowid LIMIT ?2",
        params![encode_time(now)?, limit(max)],
        rows::queued_mail,
    )
}

pub fn claim_mail(
    conn: &Connection,
    mail_id: &MailId,
    claim: &MailClaim,
) -> Result<bool, StoreError> {
    changed(
        conn,
        "UPDATE mails SET claimed_by = ?2, claimed_until = ?3, next_attempt_at = ?3,
                          attempts = attempts + 1
         WHERE id = ?1 AND sent_at IS NULL AND failed_at IS NULL
           AND COALESCE(next_attempt_at, created_at) <= ?4
           AND (claimed_until IS NULL OR claimed_until <= ?4)",
        params![
            mail_id.as_str(),
            claim.by,
            encode_time(claim.until)?,
            encode_time(claim.now)?
        ],
    )
}

pub fn release_mail(
    conn: &Connection,
    mail_id: &MailId,
    claimed_by: &str,
    setback: &MailSetback,
) -> Result<bool, StoreError> {
    let (column, at, error) = match setback {
        MailSetback::Retry { at, error } => ("next_attempt_at", at, error),
        MailSetback::Park { at, error } => ("failed_at", at, error),
    };
    changed(
        conn,
        &format!(
            "UPDATE mails SET {column} = ?3, last_error = ?4, claimed_by = NULL,
                              claimed_until = NULL
             WHERE id = ?1 AND claimed_by = ?2 AND sent_at IS NULL AND failed_at IS NULL"
        ),
        params![mail_id.as_str(), claimed_by, encode_time(*at)?, error],
    )
}

pub fn unsent_mail(conn: &Connection, max: usize) -> Result<Vec<QueuedMail>, StoreError> {
    all(
        conn,
        "SELECT * FROM mails WHERE sent_at IS NULL ORDER BY created_at, rowid LIMIT ?1",
        [limit(max)],
        rows::queued_mail,
    )
}

pub fn requeue_mail(
    conn: &Connection,
    mail_id: &MailId,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    changed(
        conn,
        "UPDATE mails SET failed_at = NULL, attempts = 0, next_attempt_at = ?2,
                          claimed_by = NULL, claimed_until = NULL
         WHERE id = ?1 AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?2)",
        params![mail_id.as_str(), encode_time(now)?],
    )
}
