//! Carts sent to Opayo whose shopper never came back: Opayo Form has no server-to-server
//! message, so after `SELECTPAY_OPAYO_STALE_MINUTES` without a result the cart is listed
//! (`selectpay carts --stale`) and the sweep mails the merchant the list once a day. The
//! alert's id names the UTC day and is committed under `MailAbsent` before it is sent, so
//! sweeps every five minutes, two at once, or one that dies after sending, mail it once.

use std::num::NonZeroUsize;

use time::OffsetDateTime;

use selectpay_domain::decision::{Context, Writes};
use selectpay_domain::ids::CartId;
use selectpay_domain::notices::stale_carts_alert;
use selectpay_domain::ports::{AwaitingCart, Commit, CommitResult, StoreError};

use crate::App;
use crate::sweep::{SweepError, SweepSummary};

/// The most carts one alert names; the rest are left to `selectpay carts --stale`.
pub const ALERT_LIST_LIMIT: NonZeroUsize = NonZeroUsize::new(100).expect("not zero");

impl App {
    /// Carts awaiting their shopper for longer than the stale time at `now`, oldest first,
    /// at most `limit`.
    pub async fn stale_carts(
        &self,
        now: OffsetDateTime,
        limit: NonZeroUsize,
    ) -> Result<Vec<AwaitingCart>, StoreError> {
        self.awaiting
            .stale_carts(now - self.config.opayo_stale, limit)
            .await
    }

    /// The merchant found no payment at Opayo for the cart: no longer listed as stale.
    /// Whether it was awaiting its shopper.
    pub async fn give_up_on_cart(&self, cart_id: &CartId) -> Result<bool, StoreError> {
        self.awaiting.stop_awaiting(cart_id).await
    }

    /// Today's alert, unless the list is empty or the alert was already written today.
    pub(crate) async fn alert_stale_carts(
        &self,
        now: OffsetDateTime,
        summary: &mut SweepSummary,
    ) -> Result<(), SweepError> {
        let want = ALERT_LIST_LIMIT.saturating_add(1);
        let mut carts = self.stale_carts(now, want).await?;
        let more = carts.len() > ALERT_LIST_LIMIT.get();
        carts.truncate(ALERT_LIST_LIMIT.get());
        summary.stale_carts = carts.len();
        if carts.is_empty() {
            return Ok(());
        }
        let context = Context {
            settings: &self.config.settings,
            templates: &self.templates,
            now,
        };
        let alert = stale_carts_alert(&context, &carts, self.config.opayo_stale, more)?;
        let commit = Commit {
            writes: Writes::alert(alert),
            delivery: None,
        };
        if let CommitResult::Committed = self.store.commit(&commit).await? {
            self.deliver_committed(&commit.writes.mails.into()).await;
            summary.stale_cart_alerts += 1;
        }
        Ok(())
    }
}
