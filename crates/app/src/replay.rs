//! `selectpay replay`: callback data the operator vouches for (a Callback Failure Alert's
//! attachment, a saved form body, a stored delivery) through the callback's own verify and decide path. By
//! default it only decides; applied, it commits like the callback would, so replaying what
//! was already processed is a duplicate that changes nothing.

mod opayo;

use thiserror::Error;

use selectpay_domain::callback::{FormError, Verdict, parse_form, verify_vouched};
use selectpay_domain::decision::{Decision, decide};
use selectpay_domain::opayo::crypt_of_return;
use selectpay_domain::outcome::Outcome;
use selectpay_domain::store::Delivery;

use crate::callback::Received;
use crate::reply::HandlerError;
use crate::{App, MailState};

/// What the data decided and what that does (or would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// The delivery outcome, as in the log: `paid`, `duplicate`, `review:amount_mismatch`…
    pub outcome: String,
    pub applied: bool,
    /// What became of the mail an applied replay committed (`None` when only decided).
    pub mail: MailState,
    /// One line per write: the payment, the cart change, each mail. Empty for a repeat.
    pub effects: Vec<String>,
}

#[derive(Debug, Error)]
pub enum ReplayError {
    #[error("the data is not a readable callback form: {0}")]
    Form(#[from] FormError),
    #[error("the data cannot be processed: {0}")]
    Refused(String),
    #[error(
        "delivery {id} was recorded as {outcome}: not from WorldPay's server, so not replayed \
         (replay the Callback Failure Alert instead)"
    )]
    NotFromTheGateway { id: String, outcome: String },
    #[error(transparent)]
    Handler(#[from] HandlerError),
}

impl App {
    /// A delivery selectpay stored (without its password), e.g. one answered 503. One that
    /// was refused as forged, or a shopper's browser backup, is not the gateway's word, and
    /// the operator cannot vouch for it.
    pub async fn replay_stored(
        &self,
        delivery: &Delivery,
        apply: bool,
    ) -> Result<Replayed, ReplayError> {
        let outcome = delivery.outcome.as_str();
        if outcome == Outcome::Claim.label() || outcome.starts_with("forbidden:") {
            return Err(ReplayError::NotFromTheGateway {
                id: delivery.id.clone(),
                outcome: delivery.outcome.clone(),
            });
        }
        if let Some(crypt) = opayo_crypt(&delivery.raw) {
            return self.replay_opayo(&crypt, apply).await;
        }
        self.replay(&delivery.raw, delivery.content_type.as_deref(), apply)
            .await
    }

    pub async fn replay(
        &self,
        body: &[u8],
        content_type: Option<&str>,
        apply: bool,
    ) -> Result<Replayed, ReplayError> {
        let form = parse_form(body, content_type)?;
        let response = match verify_vouched(form, &self.config.settings) {
            Verdict::Authentic(response) => response,
            Verdict::Forbidden(reason) => {
                return Err(ReplayError::Refused(Outcome::Forbidden(reason).label()));
            }
            Verdict::Invalid(reason) => {
                return Err(ReplayError::Refused(Outcome::Invalid(reason).label()));
            }
            Verdict::Claim(_) => return Err(ReplayError::Refused("claim".into())),
            // Found by its agreement, not its cart: the callback URL takes these.
            Verdict::WithoutCart(_) => {
                return Err(ReplayError::Refused("futurepay_without_cart".into()));
            }
        };
        let (decision, mail) = if apply {
            let received = Received {
                raw: body.to_vec(),
                content_type: content_type.map(str::to_owned),
                query: None,
                shopper_returned: None,
            };
            let (decision, mails) = self.apply(&received, &response).await?;
            let mail = self.deliver_committed(&mails).await;
            (decision, mail)
        } else {
            let key = response.idempotency_key();
            let snapshot = self
                .store
                .snapshot(&key, &response.cart_id, response.future_pay())
                .await
                .map_err(HandlerError::from)?;
            let decision =
                decide(&self.context(), &response, &snapshot).map_err(HandlerError::from)?;
            (decision, MailState::None)
        };
        Ok(Replayed {
            outcome: decision.outcome.label(),
            applied: apply,
            mail,
            effects: effects(&decision),
        })
    }
}

/// An Opayo return is stored as the query the shopper's browser brought: its `crypt`, and
/// none of the `transStatus` every WorldPay callback has.
fn opayo_crypt(raw: &[u8]) -> Option<String> {
    let query = std::str::from_utf8(raw).ok()?;
    let from_worldpay = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some("transStatus"));
    if from_worldpay {
        return None;
    }
    crypt_of_return(query).ok()
}

fn effects(decision: &Decision) -> Vec<String> {
    let writes = &decision.writes;
    let payment = writes.payment.iter().map(|payment| {
        format!(
            "record payment {} as {}",
            payment.trans_id,
            payment.status.label()
        )
    });
    let cart = writes
        .cart_change
        .iter()
        .map(|change| format!("mark cart {} {}", change.cart_id, change.status.as_str()));
    let mails = writes.mails.iter().map(|mail| {
        format!(
            "mail {} to {}: {}",
            mail.kind.as_str(),
            mail.to,
            mail.subject
        )
    });
    payment.chain(cart).chain(mails).collect()
}
