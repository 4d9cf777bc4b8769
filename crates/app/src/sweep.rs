//! The FuturePay sweep: cancels agreements whose payment is overdue, once, even when two
//! sweeps overlap, and never one whose payment arrived meanwhile.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;

use selectpay_domain::decision::{Condition, Context, Writes};
use selectpay_domain::futurepay::{Agreement, AgreementStatus};
use selectpay_domain::notices::{cancel_failure_alert, suspension_mails};
use selectpay_domain::ports::{AdminReply, Commit, CommitResult, RemoteAdmin, StoreError};
use selectpay_domain::render::RenderError;

use crate::{App, random_id};

/// How long a sweep's claim on an agreement holds before another sweep may take over.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(5);
/// Failed cancellations in a row before the operator is told.
const ALERT_AFTER_FAILURES: u32 = 3;

/// What the sweep does with an overdue agreement.
#[derive(Clone, Copy)]
pub enum SweepAction<'a> {
    /// Cancel it at WorldPay and suspend it.
    Cancel(&'a dyn RemoteAdmin),
    /// Only count it: a dry run changes nothing and sends nothing.
    Report,
}

#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub now: OffsetDateTime,
    /// Stop taking new agreements after this long; the rest wait for the next run.
    pub budget: Duration,
    pub page_size: NonZeroUsize,
}

impl Default for SweepOptions {
    /// Now, a 240 s budget (the scheduled function may run 300 s: stop taking new agreements
    /// well before) and pages of 100 agreements.
    fn default() -> Self {
        Self {
            now: OffsetDateTime::now_utc(),
            budget: Duration::from_secs(240),
            page_size: NonZeroUsize::new(100).expect("100 is not zero"),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepSummary {
    pub due: usize,
    pub cancelled: usize,
    pub would_cancel: usize,
    /// A payment arrived while the sweep was cancelling: the agreement stays active.
    pub kept_active: usize,
    /// Changed or claimed by another sweep since it was read.
    pub skipped: usize,
    /// The gateway could not be reached or refused: tried again next run.
    pub failed: usize,
    pub mail_redelivered: usize,
    pub mail_failed: usize,
    /// Mail that failed for the last time and is parked (see `selectpay mail`).
    pub mail_parked: usize,
    /// The time budget ran out before every due agreement was seen.
    pub incomplete: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

enum Handled {
    Cancelled,
    WouldCancel,
    KeptActive,
    Skipped,
    Failed,
}

impl App {
    pub async fn sweep(
        &self,
        action: SweepAction<'_>,
        options: &SweepOptions,
    ) -> Result<SweepSummary, SweepError> {
        let started = Instant::now();
        let sweep_id = random_id();
        let mut summary = SweepSummary::default();
        let mut after: Option<String> = None;
        'pages: loop {
            let page = self
                .due
                .due_agreements(options.now, after.as_deref(), options.page_size)
                .await?;
            for agreement in &page.agreements {
                if started.elapsed() > options.budget {
                    summary.incomplete = true;
                    break 'pages;
                }
                summary.due += 1;
                match self
                    .sweep_one(action, agreement, &sweep_id, options)
                    .await?
                {
                    Handled::Cancelled => summary.cancelled += 1,
                    Handled::WouldCancel => summary.would_cancel += 1,
                    Handled::KeptActive => summary.kept_active += 1,
                    Handled::Skipped => summary.skipped += 1,
                    Handled::Failed => summary.failed += 1,
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        if let SweepAction::Cancel(_) = action {
            let mail = self.redeliver_due_mail().await?;
            summary.mail_redelivered = mail.sent;
            summary.mail_failed = mail.failed;
            summary.mail_parked = mail.parked;
        }
        tracing::info!(
            target: "selectpay::sweep",
            due = summary.due,
            cancelled = summary.cancelled,
            would_cancel = summary.would_cancel,
            kept_active = summary.kept_active,
            skipped = summary.skipped,
            failed = summary.failed,
            mail_redelivered = summary.mail_redelivered,
            mail_parked = summary.mail_parked,
            incomplete = summary.incomplete,
            "sweep"
        );
        Ok(summary)
    }

    /// Claim, cancel at the gateway, then mark: the claim makes overlapping sweeps cancel
    /// once, and the mark's version condition lets a payment that arrived meanwhile win.
    async fn sweep_one(
        &self,
        action: SweepAction<'_>,
        agreement: &Agreement,
        sweep_id: &str,
        options: &SweepOptions,
    ) -> Result<Handled, SweepError> {
        let now = options.now;
        if !agreement.is_overdue(now) || agreement.claimed_by_other(sweep_id, now) {
            return Ok(Handled::Skipped);
        }
        let SweepAction::Cancel(remote) = action else {
            return Ok(Handled::WouldCancel);
        };
        let claimed = agreement.claimed(sweep_id, now, CLAIM_LEASE);
        if !self.replace(agreement, claimed.clone(), Vec::new()).await? {
            return Ok(Handled::Skipped);
        }
        let reason = match remote.cancel_agreement(&agreement.id).await {
            Ok(AdminReply::Done(_)) => None,
            Ok(AdminReply::Refused(message)) => Some(message),
            Err(error) => Some(error.to_string()),
        };
        let context = Context {
            settings: &self.config.settings,
            templates: &self.templates,
            now,
        };
        if let Some(reason) = reason {
            tracing::warn!(agreement = %agreement.id, %reason, "agreement not cancelled at the gateway");
            let failed = claimed.cancel_failed();
            let alert = if failed.cancel_failures >= ALERT_AFTER_FAILURES {
                vec![cancel_failure_alert(&context, &failed, &reason)?]
            } else {
                Vec::new()
            };
            self.replace(&claimed, failed, alert).await?;
            return Ok(Handled::Failed);
        }
        let cancelled = claimed.ended(AgreementStatus::CancelledForNonPayment);
        let mails = suspension_mails(&context, &claimed)?;
        if self.replace(&claimed, cancelled, mails).await? {
            return Ok(Handled::Cancelled);
        }
        // Something changed the agreement while the gateway was asked: a late payment.
        match self.store.agreement(&agreement.id).await? {
            Some(current) if current.status == AgreementStatus::Active => {
                self.replace(&current, current.released(), Vec::new())
                    .await?;
                Ok(Handled::KeptActive)
            }
            _ => Ok(Handled::Skipped),
        }
    }

    /// Writes `next` in place of `current` if nobody changed it since, with its mails, and
    /// sends them. Whether it was written.
    async fn replace(
        &self,
        current: &Agreement,
        next: Agreement,
        mails: Vec<selectpay_domain::mail::Mail>,
    ) -> Result<bool, StoreError> {
        let commit = Commit {
            writes: Writes {
                conditions: vec![Condition::AgreementAt {
                    id: current.id.clone(),
                    version: current.version,
                }],
                agreement: Some(next),
                mails,
                ..Writes::default()
            },
            delivery: None,
        };
        match self.store.commit(&commit).await? {
            CommitResult::Committed => {
                self.deliver_committed(&commit.writes.mails).await;
                Ok(true)
            }
            CommitResult::ConditionFailed => Ok(false),
        }
    }
}
