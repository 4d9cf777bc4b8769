//! Sending outbox mail. Each mail is claimed with a lease before it is sent, so however many
//! senders run at once (a callback, two overlapping sweeps, the local server's loop beside
//! `selectpay sweep`) a lease sends a mail at most once; a mail is sent again only once a
//! lease has expired with the outcome of its send unknown.

use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use futures_util::future::join_all;
use time::Duration;
use tokio_util::task::TaskTracker;

use selectpay_domain::decision::Writes;
use selectpay_domain::mail::Mail;
use selectpay_domain::mail_queue::{MAX_ATTEMPTS, MailClaim, MailSetback, retry_delay};
use selectpay_domain::notices::parked_mail_alert;
use selectpay_domain::ports::{Clock, Commit, CommitResult, MailError, Mailer, Outbox};

use crate::sweep::SweepError;
use crate::{App, random_id};

/// The app's bound on one send, whatever the mailer's own timeouts.
const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// How long a claim holds: longer than a send may take (and the mark after it), so a lease
/// never expires under a send still in flight.
const MAIL_LEASE: Duration = Duration::minutes(2);
/// What a request that committed mail spends on sending it before it answers. Lambda runs
/// nothing after the response, so this is the only chance; the rest waits for redelivery.
const COMMITTED_MAIL_BUDGET: StdDuration = StdDuration::from_secs(1);
/// Due mail taken per redelivery run, earliest next attempt first.
const REDELIVERY_BATCH: usize = 200;
/// Unsent mail counted for the operator's alert about parked mail.
const PARKED_COUNT_LIMIT: usize = 10_000;

/// What became of the mail a request committed, for its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// The request committed no mail.
    None,
    Sent,
    /// Some is left for redelivery.
    Pending,
    /// Sending after the reply ([`AppBuilder::mail_after_reply`](crate::AppBuilder::mail_after_reply)).
    Queued,
}

impl MailState {
    pub fn label(self) -> &'static str {
        match self {
            MailState::None => "none",
            MailState::Sent => "sent",
            MailState::Pending => "pending",
            MailState::Queued => "queued",
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RedeliverySummary {
    pub sent: usize,
    /// Attempts that failed and will be tried again.
    pub failed: usize,
    /// Mails that failed for the last time and are parked.
    pub parked: usize,
    /// Claimed by another sender first.
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    Sent,
    Failed,
    Parked,
    Skipped,
}

impl App {
    /// Sends mail a request just committed, waiting at most [`COMMITTED_MAIL_BUDGET`]. Each
    /// send runs as its own task: when the budget runs out the request stops waiting but the
    /// sends go on and mark their mail sent, because cancelling a send SES may already have
    /// accepted would leave it to be sent again once its lease expired. With
    /// [`mail_after_reply`](crate::AppBuilder::mail_after_reply) (Lambda) nothing is sent
    /// before the reply: the sends wait for [`App::finish_sends`].
    pub(crate) async fn deliver_committed(&self, committed: &CommittedMail) -> MailState {
        let CommittedMail { mails, lease } = committed;
        if mails.is_empty() {
            return MailState::None;
        }
        let lease = match lease {
            Some(held) => Lease::Held(held.clone()),
            None => Lease::Take(random_id()),
        };
        if self.mail.after_reply {
            // Not even started: a task spawned now would make its requests while the reply
            // is still on its way. The host starts them after the reply (`finish_sends`).
            let mut queued = self
                .mail
                .after_reply_queue
                .lock()
                .expect("mail queue poisoned");
            queued.extend(mails.iter().map(|mail| (mail.clone(), lease.clone())));
            return MailState::Queued;
        }
        // Side by side, so that a receipt and an order notice share the budget rather than
        // the second waiting for the first.
        let sends: Vec<_> = mails
            .iter()
            .map(|mail| self.mail.spawn_attempt(mail.clone(), lease.clone()))
            .collect();
        match tokio::time::timeout(COMMITTED_MAIL_BUDGET, join_all(sends)).await {
            Ok(done) if done.iter().all(|a| matches!(a, Ok(Attempt::Sent))) => MailState::Sent,
            _ => MailState::Pending,
        }
    }

    /// Starts the sends queued for after the reply and waits for them and for sends that
    /// outlived the request which started them. A Lambda host calls it after each reply; a
    /// process about to exit calls it, so that exiting does not cut a send short.
    pub async fn finish_sends(&self) {
        let queued = std::mem::take(
            &mut *self
                .mail
                .after_reply_queue
                .lock()
                .expect("mail queue poisoned"),
        );
        for (mail, lease) in queued {
            drop(self.mail.spawn_attempt(mail, lease));
        }
        let in_flight = &self.mail.in_flight;
        in_flight.close();
        in_flight.wait().await;
        in_flight.reopen();
    }

    /// Sends due mail, earliest next attempt first, at most `limit`; alerts the operator
    /// (once an hour) when mail was parked.
    pub async fn redeliver_pending_mail(
        &self,
        limit: usize,
    ) -> Result<RedeliverySummary, SweepError> {
        let due = self.mail.outbox.due_mail(self.clock.now(), limit).await?;
        let lease = Lease::Take(random_id());
        let mut summary = RedeliverySummary::default();
        for queued in &due {
            match self
                .mail
                .attempt(&queued.mail, queued.attempts, &lease)
                .await
            {
                Attempt::Sent => summary.sent += 1,
                Attempt::Failed => summary.failed += 1,
                Attempt::Parked => summary.parked += 1,
                Attempt::Skipped => summary.skipped += 1,
            }
        }
        if summary.parked > 0 {
            self.alert_parked_mail().await?;
        }
        Ok(summary)
    }

    /// What the scheduled sweep redelivers.
    pub async fn redeliver_due_mail(&self) -> Result<RedeliverySummary, SweepError> {
        self.redeliver_pending_mail(REDELIVERY_BATCH).await
    }

    /// Tells the operator how much mail is parked, at most once an hour.
    async fn alert_parked_mail(&self) -> Result<(), SweepError> {
        let unsent = self.mail.outbox.unsent_mail(PARKED_COUNT_LIMIT).await?;
        let parked = unsent.iter().filter(|m| m.failed_at.is_some()).count();
        let alert = parked_mail_alert(&self.context(), parked)?;
        let commit = Commit {
            writes: Writes::alert(alert),
            delivery: None,
        };
        if self.store.commit(&commit).await? == CommitResult::Committed {
            self.deliver_committed(&commit.writes.mails.into()).await;
        }
        Ok(())
    }
}

/// What sends one mail: cheap to clone, so a send can outlive the request that started it.
#[derive(Clone)]
pub(crate) struct MailSender {
    pub(crate) outbox: Arc<dyn Outbox>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Sends started by requests that no longer wait for them.
    pub(crate) in_flight: TaskTracker,
    /// Requests answer without waiting for their sends, which start only at
    /// [`App::finish_sends`]: each committed mail with the lease of its request.
    pub(crate) after_reply: bool,
    after_reply_queue: Arc<Mutex<Vec<(Mail, Lease)>>>,
}

/// Mail a request committed, to go once its reply is decided.
#[derive(Debug, Default)]
pub(crate) struct CommittedMail {
    pub(crate) mails: Vec<Mail>,
    /// Set when the commit wrote the mail already claimed ([`Writes::mail_lease`]).
    pub(crate) lease: Option<MailClaim>,
}

impl From<Vec<Mail>> for CommittedMail {
    fn from(mails: Vec<Mail>) -> Self {
        Self { mails, lease: None }
    }
}

/// How a send holds its mail.
#[derive(Debug, Clone)]
pub(crate) enum Lease {
    /// Claim it first, as this claimer.
    Take(String),
    /// Its commit wrote it claimed: no request before the send.
    Held(MailClaim),
}

impl MailSender {
    pub(crate) fn new(
        outbox: Arc<dyn Outbox>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        after_reply: bool,
    ) -> Self {
        Self {
            outbox,
            mailer,
            clock,
            in_flight: TaskTracker::new(),
            after_reply,
            after_reply_queue: Arc::default(),
        }
    }

    /// One attempt as its own task, tracked so that [`App::finish_sends`] can wait for it.
    fn spawn_attempt(&self, mail: Mail, lease: Lease) -> tokio::task::JoinHandle<Attempt> {
        let sender = self.clone();
        self.in_flight
            .spawn(async move { sender.attempt(&mail, 0, &lease).await })
    }

    /// A lease for a commit to write its mail under ([`Writes::mail_lease`]), from now.
    pub(crate) fn lease(&self) -> MailClaim {
        self.claim_as(random_id())
    }

    /// A claim by `by` from now, for [`MAIL_LEASE`].
    fn claim_as(&self, by: String) -> MailClaim {
        let now = self.clock.now();
        MailClaim {
            by,
            now,
            until: now + MAIL_LEASE,
        }
    }

    /// Claim (unless its commit did), send, then mark sent or report the setback.
    /// `attempts` is how many attempts the mail had before this one.
    async fn attempt(&self, mail: &Mail, attempts: u32, lease: &Lease) -> Attempt {
        let claim = match lease {
            Lease::Held(claim) => claim.clone(),
            Lease::Take(claimer) => {
                let claim = self.claim_as(claimer.clone());
                match self.outbox.claim_mail(&mail.id, &claim).await {
                    Ok(true) => claim,
                    Ok(false) => return Attempt::Skipped,
                    Err(error) => {
                        tracing::warn!(mail_id = %mail.id, %error, "mail not claimed");
                        return Attempt::Skipped;
                    }
                }
            }
        };
        let error = match tokio::time::timeout(SEND_TIMEOUT, self.mailer.send(mail)).await {
            Ok(Ok(())) => {
                if let Err(error) = self.outbox.mark_mail_sent(&mail.id, self.clock.now()).await {
                    // The lease keeps it from going again until it expires.
                    tracing::warn!(mail_id = %mail.id, %error, "mail sent but not marked sent");
                }
                return Attempt::Sent;
            }
            Ok(Err(error)) => error,
            Err(_) => MailError::Unknown(format!("no answer within {SEND_TIMEOUT:?}")),
        };
        let attempt = attempts + 1;
        let later = self.clock.now();
        let setback = if attempt >= MAX_ATTEMPTS {
            MailSetback::Park {
                at: later,
                error: error.to_string(),
            }
        } else {
            let mut at = later + retry_delay(attempt);
            // The mail may have gone out: not again before the lease would have expired.
            if matches!(error, MailError::Unknown(_)) {
                at = at.max(claim.until);
            }
            MailSetback::Retry {
                at,
                error: error.to_string(),
            }
        };
        tracing::warn!(mail_id = %mail.id, kind = mail.kind.as_str(), attempt, %error, "mail not sent");
        match self
            .outbox
            .release_mail(&mail.id, &claim.by, &setback)
            .await
        {
            Ok(true) if matches!(setback, MailSetback::Park { .. }) => Attempt::Parked,
            Ok(true) => Attempt::Failed,
            // Another sender took the mail once the lease had expired: it is theirs now.
            Ok(false) => Attempt::Skipped,
            Err(error) => {
                tracing::warn!(mail_id = %mail.id, %error, "mail setback not recorded");
                Attempt::Failed
            }
        }
    }
}
