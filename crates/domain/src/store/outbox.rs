//! Mail a commit wrote and nobody has sent yet: what the redelivery of lost mail reads.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::mail::Mail;

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Mail not yet sent that was written before `created_before`, oldest first, at most
    /// `limit`. MUST NOT list mail marked sent.
    async fn pending_mail(
        &self,
        created_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Mail>, StoreError>;

    /// MUST mark the mail sent at `at`, and MUST change nothing (create no mail) when no
    /// mail has this id.
    async fn mark_mail_sent(&self, mail_id: &str, at: OffsetDateTime) -> Result<(), StoreError>;
}
