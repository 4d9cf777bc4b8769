//! `GET /return/opayo?crypt=@…`: an Opayo Form result, which only the shopper's browser
//! brings, so every refresh, back button and bookmark brings it again.
//!
//! A result that decrypts goes through the same decision table as a WorldPay callback, so a
//! repeat is answered with the first page and changes nothing. One that does not decrypt was
//! not made with our encryption password: it is recorded and answered with a 400 page, and a
//! burst of them raises the hourly security alert, never a mail per delivery.

use selectpay_domain::callback::{ForbiddenReason, InvalidReason};
use selectpay_domain::decision::Reply;
use selectpay_domain::notices;
use selectpay_domain::opayo::{
    EncryptionPassword, ReturnError, ReturnFields, Returned, crypt_of_return, translate,
};
use selectpay_domain::outcome::Outcome;

use super::{Processed, Received};
use crate::App;
use crate::config::secret;
use crate::delivery::CommittedMail;
use crate::reply::HandlerError;

impl App {
    pub(super) async fn process_opayo(
        &self,
        received: &Received,
    ) -> Result<Processed, HandlerError> {
        let password = self.opayo_password()?;
        let query = String::from_utf8_lossy(&received.raw);
        let parsed =
            crypt_of_return(&query).map(|crypt| ReturnFields::from_crypt(&crypt, password));
        let fields = match parsed {
            Ok(Ok(fields)) => fields,
            Ok(Err(ReturnError::Crypt(_))) | Err(_) => {
                let reason = ForbiddenReason::BadCrypt;
                let outcome = Outcome::Forbidden(reason);
                let alert = notices::security_alert(&self.context(), reason)?;
                let delivery = self.delivery(received, outcome, None, None);
                let mails = self.commit_alert(alert, delivery).await?;
                let page = self.result_page(outcome, 400, "page_bad_result.html", None)?;
                return Ok(Processed {
                    mails: mails.into(),
                    ..page
                });
            }
            Ok(Err(_)) => {
                let outcome = Outcome::Invalid(InvalidReason::Unparseable);
                self.record(received, outcome, None, None).await?;
                return self.result_page(outcome, 400, "page_bad_result.html", None);
            }
        };
        let cart_id = Some(fields.cart_id.to_string());
        let trans_id = fields.vps_tx_id.as_ref().map(ToString::to_string);
        let order = self
            .store
            .cart(&fields.cart_id)
            .await?
            .map(|record| record.cart.order);
        // Any result that decrypted, even a refusal, ends the cart's wait for its shopper.
        let received = &Received {
            shopper_returned: order
                .as_ref()
                .filter(|order| order.gateway.reports_through_browser())
                .map(|_| fields.cart_id.clone()),
            ..received.clone()
        };
        let (outcome, page) = match translate(&fields, order.as_ref(), self.config.settings.mode) {
            Returned::Decide(response) => {
                let (decision, mails) = self.apply(received, &response).await?;
                return Ok(Processed {
                    outcome: decision.outcome,
                    reply: decision.reply,
                    cart_id,
                    trans_id,
                    mails,
                });
            }
            Returned::Declined => (Outcome::Declined, "page_not_authorised.html"),
            Returned::Pending => (Outcome::Pending, "page_pending.html"),
            Returned::Failed => (Outcome::NotCompleted, "page_not_completed.html"),
        };
        self.record(received, outcome, cart_id.clone(), trans_id.clone())
            .await?;
        Ok(self
            .result_page(outcome, 200, page, cart_id.as_deref())?
            .about(cart_id, trans_id))
    }

    /// The Form encryption password, which reading any result takes.
    pub(crate) fn opayo_password(&self) -> Result<&EncryptionPassword, HandlerError> {
        let opayo = self
            .config
            .opayo
            .as_ref()
            .ok_or(HandlerError::NotConfigured(
                "Opayo (SELECTPAY_GATEWAYS offering opayo)",
            ))?;
        opayo
            .encryption_password
            .as_ref()
            .ok_or(HandlerError::NotConfigured(
                secret::OPAYO_ENCRYPTION_PASSWORD,
            ))
    }

    /// A result the merchant replays (`selectpay replay --opayo`), handled exactly as the
    /// shopper's `GET /return/opayo?<query>`: its outcome and the mail its commit wrote.
    pub(crate) async fn replay_opayo_return(
        &self,
        query: &str,
    ) -> Result<(Outcome, CommittedMail), HandlerError> {
        let received = Received {
            raw: query.as_bytes().to_vec(),
            content_type: None,
            query: None,
            shopper_returned: None,
        };
        let processed = self.process_opayo(&received).await?;
        Ok((processed.outcome, processed.mails))
    }

    /// A page that needs nothing but the cart's id: the shopper is on it, not the gateway.
    fn result_page(
        &self,
        outcome: Outcome,
        status: u16,
        template: &str,
        cart_id: Option<&str>,
    ) -> Result<Processed, HandlerError> {
        let page = self.templates.render(
            template,
            serde_json::json!({
                "cart_id": cart_id.unwrap_or(""),
                "shop_url": self.config.settings.public_base_url.as_str(),
            }),
        )?;
        Ok(Processed {
            outcome,
            reply: Reply { status, page },
            cart_id: None,
            trans_id: None,
            mails: CommittedMail::default(),
        })
    }
}
