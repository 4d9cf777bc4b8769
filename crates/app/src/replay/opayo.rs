//! `selectpay replay --opayo`: an Opayo result the merchant copied (the crypt, or the whole
//! return URL) for a shopper who never came back. Applied, it goes through the very handler
//! of `GET /return/opayo`, so a result the shopper's browser already brought is a repeat
//! that changes nothing; only decided, it reads what is stored and commits nothing.

use selectpay_domain::decision::decide;
use selectpay_domain::opayo::{ReturnFields, Returned, crypt_of_return, translate};
use selectpay_domain::outcome::Outcome;

use super::{ReplayError, Replayed, effects};
use crate::reply::HandlerError;
use crate::{App, MailState};

impl App {
    pub async fn replay_opayo(&self, input: &str, apply: bool) -> Result<Replayed, ReplayError> {
        let password = self.opayo_password()?;
        let crypt = crypt_of_return(input).map_err(|e| ReplayError::Refused(e.to_string()))?;
        // Refused here rather than recorded as a forged return: the merchant mistyped.
        let fields = ReturnFields::from_crypt(&crypt, password)
            .map_err(|e| ReplayError::Refused(format!("the crypt does not read: {e}")))?;
        let order = self
            .store
            .cart(&fields.cart_id)
            .await
            .map_err(HandlerError::from)?
            .map(|record| record.cart.order);
        let (outcome, effects) = match translate(&fields, order.as_ref(), self.config.settings.mode)
        {
            Returned::Decide(response) => {
                let key = response.idempotency_key();
                let snapshot = self
                    .store
                    .snapshot(&key, &response.cart_id, None)
                    .await
                    .map_err(HandlerError::from)?;
                let decision =
                    decide(&self.context(), &response, &snapshot).map_err(HandlerError::from)?;
                (decision.outcome, effects(&decision))
            }
            Returned::Declined => (Outcome::Declined, Vec::new()),
            Returned::Pending => (Outcome::Pending, Vec::new()),
            Returned::Failed => (Outcome::NotCompleted, Vec::new()),
        };
        if !apply {
            return Ok(Replayed {
                outcome: outcome.label(),
                applied: false,
                mail: MailState::None,
                effects,
            });
        }
        // As the browser would bring it, so the delivery reads like the shopper's own.
        let query = format!("crypt={crypt}");
        let (applied, mails) = self.replay_opayo_return(&query).await?;
        let mail = self.deliver_committed(&mails).await;
        Ok(Replayed {
            outcome: applied.label(),
            applied: true,
            mail,
            // What was decided beforehand, unless the commit found the result already in.
            effects: if applied == outcome {
                effects
            } else {
                Vec::new()
            },
        })
    }
}
