//! Mail a commit wrote and nobody has sent yet, as a queue ([`crate::mail_queue`]): what
//! the delivery after a commit, the redelivery of lost mail and `selectpay mail` use. Each
//! mail is claimed with a lease before it is sent, so two senders never both send it.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::mail_id::MailId;
use crate::mail_queue::{MailClaim, MailSetback, QueuedMail};

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Unsent, unparked mail whose next attempt is at or before `now`, earliest next attempt
    /// first, at most `limit`. MUST read each mail as it is now (an index is only a hint):
    /// MUST NOT list mail marked sent, parked, or leased past `now`.
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError>;

    /// MUST take the lease on an unsent, unparked mail only if it is due at `claim.now` and
    /// its lease is absent or expired, in one conditional write, so that of two claimers at
    /// most one wins; the winner's claim counts one more attempt and moves the next attempt
    /// to `claim.until`. Answers whether this claim took it; a mail that does not exist is
    /// `false`, never created.
    async fn claim_mail(&self, mail_id: &MailId, claim: &MailClaim) -> Result<bool, StoreError>;

    /// MUST end the lease only if `claimed_by` still holds it on an unsent mail, recording
    /// the setback (the next attempt and the last error, or the mail parked as failed);
    /// otherwise MUST change nothing and answer `false`: whoever took the mail since owns it.
    async fn release_mail(
        &self,
        mail_id: &MailId,
        claimed_by: &str,
        setback: &MailSetback,
    ) -> Result<bool, StoreError>;

    /// MUST mark the mail sent at `at` whoever holds its lease now (a send that happened
    /// must not be made again, even by a claimer whose lease expired), taking it out of the
    /// queue for good; MUST change nothing (create no mail) when no mail has this id.
    async fn mark_mail_sent(&self, mail_id: &MailId, at: OffsetDateTime) -> Result<(), StoreError>;

    /// Unsent mail, waiting or parked, oldest first, at most `limit`: for `selectpay mail`,
    /// and for the sweep's count in its alert about parked mail. MUST read from the index of
    /// unsent mail (never scan all mail) and MUST NOT list mail marked sent.
    async fn unsent_mail(&self, limit: usize) -> Result<Vec<QueuedMail>, StoreError>;

    /// Puts an unsent mail (waiting or parked) whose lease does not hold at `now` back in
    /// line: due at `now`, no attempts counted, not parked. MUST change nothing and answer
    /// `false` for a sent mail, a leased one or an id with no mail.
    async fn requeue_mail(&self, mail_id: &MailId, now: OffsetDateTime)
    -> Result<bool, StoreError>;
}
