//! Sending outbox mail after the commit that wrote it, and again later if that failed.

use time::Duration;

use selectpay_domain::mail::Mail;
use selectpay_domain::ports::StoreError;

use crate::App;

/// Mail unsent this long after it was written is left over from a failed delivery: the
/// request that wrote it has long finished trying.
const STALE_MAIL_GRACE: Duration = Duration::minutes(5);
const STALE_MAIL_BATCH: usize = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RedeliverySummary {
    pub sent: usize,
    pub failed: usize,
}

impl App {
    /// Sends mails that were just committed. A failure leaves the mail pending for
    /// [`App::redeliver_pending_mail`]; the request that caused it still succeeds.
    pub(crate) async fn deliver(&self, mails: &[Mail]) -> RedeliverySummary {
        let mut summary = RedeliverySummary::default();
        for mail in mails {
            match self.send_and_mark(mail).await {
                Ok(()) => summary.sent += 1,
                Err(error) => {
                    summary.failed += 1;
                    tracing::warn!(mail_id = %mail.id, kind = mail.kind.as_str(), %error, "mail left pending");
                }
            }
        }
        summary
    }

    async fn send_and_mark(&self, mail: &Mail) -> Result<(), String> {
        self.mailer.send(mail).await.map_err(|e| e.to_string())?;
        self.outbox
            .mark_mail_sent(&mail.id, self.clock.now())
            .await
            .map_err(|e| e.to_string())
    }

    /// Sends mail still pending after `grace` (long enough that the request that wrote it
    /// has finished trying), oldest first, at most `limit`.
    pub async fn redeliver_pending_mail(
        &self,
        grace: Duration,
        limit: usize,
    ) -> Result<RedeliverySummary, StoreError> {
        let pending = self
            .outbox
            .pending_mail(self.clock.now() - grace, limit)
            .await?;
        Ok(self.deliver(&pending).await)
    }

    /// What the scheduled sweep redelivers: mail whose first delivery failed minutes ago.
    pub async fn redeliver_stale_mail(&self) -> Result<RedeliverySummary, StoreError> {
        self.redeliver_pending_mail(STALE_MAIL_GRACE, STALE_MAIL_BATCH)
            .await
    }
}
