//! A mail, its queue columns (see `mail_lease.rs`) and the mail as sent or queued.

use rusqlite::{Connection, Row, params};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::{Mail, MailKind, StoredMail};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, QueuedMail};
use selectpay_domain::store::StoreError;
use selectpay_domain::store::time_text::encode as encode_time;

use super::{corrupt, count, get, optional_cart_id, optional_time, time};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS mails (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    cart_id TEXT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, -- the queue's columns: see mail_lease.rs
    next_attempt_at TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    failed_at TEXT
) STRICT;
-- Partial: the sweep reads only what is still to send, however much mail has gone out.
CREATE INDEX IF NOT EXISTS mails_pending ON mails (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS mails_by_cart ON mails (cart_id, created_at);
CREATE INDEX IF NOT EXISTS mails_by_created ON mails (created_at);
";

/// Inserts a new, unsent mail, due at once or, under `lease`, claimed as `claim_mail` would
/// have claimed it; a known id fails with `AlreadyExists`.
pub fn insert_mail(
    conn: &Connection,
    mail: &Mail,
    lease: Option<&MailClaim>,
) -> Result<(), StoreError> {
    let until = lease.map(|lease| encode_time(lease.until)).transpose()?;
    execute(
        conn,
        "INSERT INTO mails (id, kind, cart_id, recipient, subject, text, html, created_at,
                            attempts, claimed_by, claimed_until, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            mail.id.as_str(),
            mail.kind.as_str(),
            mail.cart_id.as_ref().map(|c| c.as_str()),
            mail.to.as_str(),
            mail.subject,
            mail.text,
            mail.html,
            encode_time(mail.created_at)?,
            u32::from(lease.is_some()),
            lease.map(|lease| lease.by.as_str()),
            until,
        ],
    )
    .map(drop)
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
