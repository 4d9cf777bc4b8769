//! The sweep's follow-up of browser claims: a claim that said `Y` for a pending cart, with
//! no authenticated callback settling the cart within the grace period
//! (`SELECTPAY_CLAIM_GRACE_MINUTES`), gets the merchant one alert. Whatever it finds, a claim
//! is followed up once and then closed; the alert's id names the cart, so even a sweep that
//! dies before closing cannot mail it twice.

use std::time::Instant;

use selectpay_domain::cart::CartStatus;
use selectpay_domain::decision::{Context, Writes};
use selectpay_domain::notices::unconfirmed_claim_alert;
use selectpay_domain::ports::{ClaimedPayment, Commit, CommitResult};

use crate::App;
use crate::sweep::{SweepError, SweepOptions, SweepSummary};

impl App {
    /// Follows up every claim older than the grace period, within the sweep's budget.
    pub(crate) async fn follow_up_claims(
        &self,
        started: Instant,
        options: &SweepOptions,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        let before = options.now - self.config.claim_grace;
        loop {
            let claims = self
                .claimed_payments
                .open_claims(before, options.page_size)
                .await?;
            for claim in &claims {
                if started.elapsed() > options.budget {
                    summary.incomplete = true;
                    return Ok(());
                }
                self.follow_up(claim, options, summary).await?;
            }
            if claims.len() < options.page_size.get() {
                return Ok(());
            }
        }
    }

    /// A dry run's count of the claims a sweep would alert on now, in its first page: a real
    /// sweep pages on by closing what it followed up, which a dry run must not do.
    pub(crate) async fn unconfirmed_claims(
        &self,
        options: &SweepOptions,
    ) -> Result<usize, SweepError> {
        let before = options.now - self.config.claim_grace;
        let claims = self
            .claimed_payments
            .open_claims(before, options.page_size)
            .await?;
        let mut unconfirmed = 0;
        for claim in &claims {
            if self.still_pending(claim).await? {
                unconfirmed += 1;
            }
        }
        Ok(unconfirmed)
    }

    /// Whether no authenticated payment or cancel has settled the claim's cart yet.
    async fn still_pending(&self, claim: &ClaimedPayment) -> Result<bool, SweepError> {
        let record = self.store.cart(&claim.cart_id).await?;
        Ok(record.is_some_and(|r| r.cart.status == CartStatus::Pending))
    }

    /// Alerts the merchant if the cart is still pending (an authenticated payment or cancel
    /// would have settled it), then closes the claim.
    async fn follow_up(
        &self,
        claim: &ClaimedPayment,
        options: &SweepOptions,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        if self.still_pending(claim).await? {
            let context = Context {
                settings: &self.config.settings,
                templates: &self.templates,
                now: options.now,
            };
            let commit = Commit {
                writes: Writes::alert(unconfirmed_claim_alert(&context, claim)?),
                delivery: None,
            };
            if let CommitResult::Committed = self.store.commit(&commit).await? {
                self.deliver_committed(&commit.writes.mails.into()).await;
                summary.unconfirmed_claims += 1;
            }
        } else {
            summary.confirmed_claims += 1;
        }
        self.claimed_payments.close_claim(&claim.cart_id).await?;
        Ok(())
    }
}
