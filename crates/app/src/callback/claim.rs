//! A backup from the shopper's browser (`cartId` and what the shopper says happened): never
//! trusted, only answered from what is stored.

use std::sync::PoisonError;

use selectpay_domain::callback::backup::Claim;
use selectpay_domain::decision::{answer_claim, claim_to_follow_up};
use selectpay_domain::outcome::Outcome;

use super::{Processed, Received};
use crate::App;
use crate::delivery::CommittedMail;
use crate::reply::HandlerError;

impl App {
    /// A backup from the shopper's browser: answered from what is stored and recorded as a
    /// claim, within a budget, since anyone can send one.
    pub(super) async fn claim(
        &self,
        received: &Received,
        claim: &Claim,
    ) -> Result<Processed, HandlerError> {
        let cart_id = Some(claim.cart_id.to_string());
        let trans_id = claim.trans_id.as_ref().map(ToString::to_string);
        let now = self.clock.now();
        let allowed = self
            .claims
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .allow(now);
        if !allowed {
            let throttled = Processed::refused(Outcome::ClaimThrottled, 429);
            return Ok(throttled.about(cart_id, trans_id));
        }
        let record = self.store.cart(&claim.cart_id).await?;
        let cart = record.as_ref().map(|r| &r.cart);
        let decision = answer_claim(&self.context(), claim, cart)?;
        if let Some(claimed) = claim_to_follow_up(claim, cart, now) {
            self.claimed_payments.note_claim(&claimed).await?;
        }
        self.record(
            received,
            decision.outcome,
            cart_id.clone(),
            trans_id.clone(),
        )
        .await?;
        Ok(Processed {
            outcome: decision.outcome,
            reply: decision.reply,
            cart_id,
            trans_id,
            mails: CommittedMail::default(),
        })
    }
}
