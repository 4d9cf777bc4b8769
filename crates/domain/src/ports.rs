//! What the domain needs from the outside world. Adapters implement these: an embedded
//! store and an outbox folder locally, DynamoDB and SES on AWS.

use async_trait::async_trait;
use thiserror::Error;
use time::OffsetDateTime;

use crate::cart::{Cart, Payment};
use crate::decision::{Snapshot, Writes};
use crate::futurepay::Agreement;
use crate::ids::{CartId, FuturePayId};
use crate::mail::{Mail, StoredMail};
use crate::mail_queue::{MailClaim, MailSetback, QueuedMail};

#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be reached or refused the work; nothing was written.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A record that must be new already exists.
    #[error("already exists")]
    AlreadyExists,
    /// Stored data that does not read back as the domain wrote it.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// One delivery to the callback endpoint, kept raw (without the password) so that no
/// payment response is ever lost, whatever became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub received_at: OffsetDateTime,
    pub cart_id: Option<String>,
    pub trans_id: Option<String>,
    pub outcome: String,
    pub content_type: Option<String>,
    pub raw: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub writes: Writes,
    /// The delivery that caused the writes; `None` for the sweep's own changes.
    pub delivery: Option<Delivery>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitResult {
    Committed,
    /// A condition no longer held; nothing was written.
    ConditionFailed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartRecord {
    pub cart: Cart,
    pub payments: Vec<Payment>,
    pub mails: Vec<StoredMail>,
    pub agreements: Vec<Agreement>,
}

/// One page of agreements, and where the next one starts (opaque to callers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementPage {
    pub agreements: Vec<Agreement>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub carts: Vec<Cart>,
    pub payments: Vec<Payment>,
    pub deliveries: Vec<Delivery>,
    pub mails: Vec<StoredMail>,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Fails with `AlreadyExists` if the cart id is taken.
    async fn insert_cart(&self, cart: &Cart) -> Result<(), StoreError>;

    async fn cart(&self, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError>;

    /// What a decision about `key` for `cart_id` (and the agreement, if any) depends on.
    async fn snapshot(
        &self,
        key: &str,
        cart_id: &CartId,
        agreement: Option<&FuturePayId>,
    ) -> Result<Snapshot, StoreError>;

    async fn agreement(&self, id: &FuturePayId) -> Result<Option<Agreement>, StoreError>;

    /// Agreements whose `overdue_at` is at or before `now`, earliest first, from the
    /// sparse index of scheduled agreements: the cost grows with the number due, not with
    /// the number of agreements. `after` is a previous page's `next`.
    async fn due_agreements(
        &self,
        now: OffsetDateTime,
        after: Option<&str>,
        limit: usize,
    ) -> Result<AgreementPage, StoreError>;

    /// All agreements, newest first, for people (not for the sweep).
    async fn agreements(&self, limit: usize) -> Result<Vec<Agreement>, StoreError>;

    /// Applies all writes and records the delivery atomically if every condition holds;
    /// otherwise writes nothing and answers `ConditionFailed`. `MailAbsent` is the condition
    /// that guards an alert; a mail whose id exists already despite no such condition is
    /// skipped, never overwritten.
    async fn commit(&self, commit: &Commit) -> Result<CommitResult, StoreError>;

    /// Mail not yet sent that was written before `created_before`, oldest first.
    async fn pending_mail(
        &self,
        created_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Mail>, StoreError>;

    /// Records that the mail went out, whoever holds its lease now: a send that happened
    /// must not be made again. The mail leaves the queue for good.
    async fn mark_mail_sent(&self, mail_id: &str, at: OffsetDateTime) -> Result<(), StoreError>;

    /// Unsent, unparked mail whose next attempt is at or before `now`, earliest first.
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError>;

    /// Takes the lease on an unsent, unparked mail that is due at `claim.now` and whose
    /// lease is absent or expired, counting one more attempt; its next attempt moves to
    /// `claim.until`. Whether this claim took it.
    async fn claim_mail(&self, mail_id: &str, claim: &MailClaim) -> Result<bool, StoreError>;

    /// Ends the lease `claimed_by` holds on an unsent mail with a setback. Whether that
    /// lease still held (if not, nothing changes).
    async fn release_mail(
        &self,
        mail_id: &str,
        claimed_by: &str,
        setback: &MailSetback,
    ) -> Result<bool, StoreError>;

    /// Unsent mail, waiting or parked, oldest first: for people.
    async fn unsent_mail(&self, limit: usize) -> Result<Vec<QueuedMail>, StoreError>;

    /// Puts an unsent mail whose lease does not hold back in line, due at `now` with no
    /// attempts counted. Whether there was such a mail.
    async fn requeue_mail(&self, mail_id: &str, now: OffsetDateTime) -> Result<bool, StoreError>;

    /// The latest records of each kind, newest first, for people looking at a dev server.
    async fn recent(&self, limit: usize) -> Result<Activity, StoreError>;
}

#[derive(Debug, Error)]
pub enum MailError {
    /// The mail service did not take the mail: it may be tried again at once.
    #[error("mail not sent: {0}")]
    NotSent(String),
    /// The request may have reached the mail service: the mail may have gone out.
    #[error("mail outcome unknown: {0}")]
    Unknown(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// WorldPay's answer to a remote-administration request: `Y,<message>` or `E,<message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminReply {
    Done(String),
    Refused(String),
}

#[derive(Debug, Error)]
#[error("remote administration unreachable: {0}")]
pub struct AdminError(pub String);

/// WorldPay's remote administration of FuturePay agreements.
#[async_trait]
pub trait RemoteAdmin: Send + Sync {
    /// `op-cancelFP` for the agreement.
    async fn cancel_agreement(&self, id: &FuturePayId) -> Result<AdminReply, AdminError>;
}
