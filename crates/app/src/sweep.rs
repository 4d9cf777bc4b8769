//! The FuturePay sweep. An overdue agreement is first suspended here, at once and whatever
//! the gateway does; then, with remote administration, cancelled at WorldPay, once even when
//! two sweeps overlap. WorldPay's confirmation is final: once it has cancelled, we never say
//! `active`, and a payment that landed meanwhile is the merchant's to refund.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;

use selectpay_domain::decision::{Condition, Context, PaymentRelabel, Writes};
use selectpay_domain::futurepay::{Agreement, AgreementStatus};
use selectpay_domain::ids::TransId;
use selectpay_domain::notices::{
    SweepNotice, cancel_failure_alert, raced_payment_alert, sweep_mails,
};
use selectpay_domain::ports::{AdminReply, Commit, CommitResult, RemoteAdmin, StoreError};
use selectpay_domain::render::RenderError;

use crate::{ALERT_LIST_LIMIT, App, raced_payments, random_id};

/// How long a sweep's claim on an agreement holds before another sweep may take over.
const CLAIM_LEASE: time::Duration = time::Duration::minutes(5);
/// Failed cancellations in a row before the operator is told (once per overdue payment).
const ALERT_AFTER_FAILURES: u32 = 3;
/// Rounds of re-reading an agreement that payments keep changing while WorldPay's
/// confirmation is written.
const CONFIRM_ROUNDS: usize = 4;

/// What the sweep does with an overdue agreement.
#[derive(Clone, Copy)]
pub enum SweepAction<'a> {
    /// Suspend it here and, when remote administration is given, cancel it at WorldPay.
    Enforce(Option<&'a dyn RemoteAdmin>),
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
    /// Suspended here by this run.
    pub suspended: usize,
    /// Cancelled at WorldPay by this run (WorldPay confirmed).
    pub cancelled: usize,
    /// A dry run's count of agreements it would suspend or cancel.
    pub would_act: usize,
    /// WorldPay cancelled while a payment arrived: the merchant is told to refund it.
    pub refund_needed: usize,
    /// Changed or claimed by another sweep since it was read, or suspended and waiting for
    /// remote administration to be configured.
    pub skipped: usize,
    /// The gateway could not be reached or refused: tried again next run.
    pub failed: usize,
    pub mail_redelivered: usize,
    pub mail_failed: usize,
    /// Mail that failed for the last time and is parked (see `selectpay mail`).
    pub mail_parked: usize,
    /// Browser claims of payment no authenticated callback confirmed within the grace
    /// period: the merchant was alerted (once per cart).
    pub unconfirmed_claims: usize,
    /// Browser claims of payment whose cart the gateway settled meanwhile: nothing to say.
    pub confirmed_claims: usize,
    /// Carts sent to Opayo with no result after the stale time (at most the alert's list).
    pub stale_carts: usize,
    /// 1 when this run wrote (and sent) today's list of stale carts; later runs today, 0.
    pub stale_cart_alerts: usize,
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
                self.sweep_one(action, agreement, &sweep_id, options, &mut summary)
                    .await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        if let SweepAction::Enforce(_) = action
            && !summary.incomplete
        {
            self.follow_up_claims(started, options, &mut summary)
                .await?;
        }
        if let SweepAction::Enforce(_) = action {
            self.alert_stale_carts(options.now, &mut summary).await?;
            let mail = self.redeliver_due_mail().await?;
            summary.mail_redelivered = mail.sent;
            summary.mail_failed = mail.failed;
            summary.mail_parked = mail.parked;
        } else {
            // What the alerts would name, so a dry run does not read as "nothing to say".
            summary.unconfirmed_claims = self.unconfirmed_claims(options).await?;
            summary.stale_carts = self.stale_carts(options.now, ALERT_LIST_LIMIT).await?.len();
        }
        tracing::info!(
            target: "selectpay::sweep",
            due = summary.due,
            suspended = summary.suspended,
            cancelled = summary.cancelled,
            would_act = summary.would_act,
            refund_needed = summary.refund_needed,
            skipped = summary.skipped,
            failed = summary.failed,
            mail_redelivered = summary.mail_redelivered,
            mail_parked = summary.mail_parked,
            unconfirmed_claims = summary.unconfirmed_claims,
            stale_carts = summary.stale_carts,
            stale_cart_alerts = summary.stale_cart_alerts,
            incomplete = summary.incomplete,
            "sweep"
        );
        Ok(summary)
    }

    /// Suspend, then claim, cancel at the gateway and mark. When the suspension and the
    /// gateway's answer come in the same run, the suspension's mails wait for the answer,
    /// so people get one mail about what happened, not two.
    async fn sweep_one(
        &self,
        action: SweepAction<'_>,
        agreement: &Agreement,
        sweep_id: &str,
        options: &SweepOptions,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        let now = options.now;
        let overdue = agreement.is_overdue(now);
        let awaiting_gateway = agreement.status == AgreementStatus::SuspendedOverdue;
        if !(overdue || awaiting_gateway) || agreement.claimed_by_other(sweep_id, now) {
            summary.skipped += 1;
            return Ok(());
        }
        let SweepAction::Enforce(remote) = action else {
            summary.would_act += 1;
            return Ok(());
        };
        let context = Context {
            settings: &self.config.settings,
            templates: &self.templates,
            now,
        };
        let mut current = agreement.clone();
        if overdue {
            let suspended = agreement.suspended();
            let mails = match remote {
                None => sweep_mails(&context, &suspended, SweepNotice::Suspended)?,
                Some(_) => Vec::new(),
            };
            if !self.replace(agreement, suspended.clone(), mails).await? {
                summary.skipped += 1;
                return Ok(());
            }
            summary.suspended += 1;
            current = suspended;
        }
        let Some(remote) = remote else {
            if !overdue {
                summary.skipped += 1;
            }
            return Ok(());
        };
        // Read before the claim, which holds only if no payment changed the agreement since.
        let settled = raced_payments::accepted(self.store.as_ref(), &current.cart_id).await?;
        let claimed = current.claimed(sweep_id, now, CLAIM_LEASE);
        if !self.replace(&current, claimed.clone(), Vec::new()).await? {
            // A payment reactivated it since the suspension: nothing left to tell anyone.
            summary.skipped += 1;
            return Ok(());
        }
        let failure = match remote.cancel_agreement(&claimed.id).await {
            Ok(AdminReply::Done(_)) => None,
            Ok(AdminReply::Refused(message)) => Some(message),
            Err(error) => Some(error.to_string()),
        };
        match failure {
            None => {
                self.confirm_cancelled(&context, &claimed, &settled, summary)
                    .await
            }
            Some(reason) => {
                tracing::warn!(agreement = %claimed.id, %reason, "agreement not cancelled at the gateway");
                let failed = claimed.cancel_failed();
                let mut mails = if overdue {
                    sweep_mails(&context, &claimed, SweepNotice::Suspended)?
                } else {
                    Vec::new()
                };
                if failed.cancel_failures == ALERT_AFTER_FAILURES {
                    mails.push(cancel_failure_alert(&context, &failed, &reason)?);
                }
                // Lost only to a payment that reactivated it meanwhile: then nobody needs
                // to hear about the suspension, and the next overdue payment counts anew.
                self.replace(&claimed, failed, mails).await?;
                summary.failed += 1;
                Ok(())
            }
        }
    }

    /// WorldPay has cancelled: so do we, whatever changed the agreement since the claim. A
    /// payment that landed meanwhile (one not among the cart's `settled` payments) is held
    /// and reported for refunding.
    async fn confirm_cancelled(
        &self,
        context: &Context<'_>,
        claimed: &Agreement,
        settled: &HashSet<TransId>,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        let mut current = claimed.clone();
        for _ in 0..CONFIRM_ROUNDS {
            let raced = current.payments_made > claimed.payments_made;
            let mut mails = sweep_mails(context, claimed, SweepNotice::Cancelled)?;
            let mut held = Vec::new();
            if raced {
                mails.push(raced_payment_alert(context, &current)?);
                held =
                    raced_payments::hold_for_refund(self.store.as_ref(), &claimed.cart_id, settled)
                        .await?;
            }
            let cancelled = current.ended(AgreementStatus::CancelledForNonPayment);
            if self
                .replace_holding(&current, cancelled, mails, held)
                .await?
            {
                summary.cancelled += 1;
                summary.refund_needed += usize::from(raced);
                return Ok(());
            }
            match self.store.agreement(&claimed.id).await? {
                Some(fresh) if !fresh.status.has_ended() => current = fresh,
                // The merchant or the shopper ended it meanwhile: it is over either way.
                _ => {
                    summary.skipped += 1;
                    return Ok(());
                }
            }
        }
        // Payments kept changing it faster than it could be written: leave it to a person.
        tracing::error!(agreement = %claimed.id, "cancelled at WorldPay but not marked here");
        summary.failed += 1;
        Ok(())
    }

    /// Writes `next` in place of `current` if nobody changed it since, with its mails, and
    /// sends them. Whether it was written.
    async fn replace(
        &self,
        current: &Agreement,
        next: Agreement,
        mails: Vec<selectpay_domain::mail::Mail>,
    ) -> Result<bool, StoreError> {
        self.replace_holding(current, next, mails, Vec::new()).await
    }

    /// [`Self::replace`], relabelling payments in the same commit.
    async fn replace_holding(
        &self,
        current: &Agreement,
        next: Agreement,
        mails: Vec<selectpay_domain::mail::Mail>,
        relabels: Vec<PaymentRelabel>,
    ) -> Result<bool, StoreError> {
        let commit = Commit {
            writes: Writes {
                conditions: vec![Condition::AgreementAt {
                    id: current.id.clone(),
                    version: current.version,
                }],
                agreement: Some(next),
                relabels,
                mails,
                ..Writes::default()
            },
            delivery: None,
        };
        match self.store.commit(&commit).await? {
            CommitResult::Committed => {
                self.deliver_committed(&commit.writes.mails.into()).await;
                Ok(true)
            }
            CommitResult::ConditionFailed => Ok(false),
        }
    }
}
