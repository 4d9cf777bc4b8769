//! `POST /callback` and `GET /callback`: payment responses from the gateway; in [`opayo`],
//! Opayo's results on `GET /return/opayo`; in [`claim`], the shopper's backups. [`record`]
//! keeps each delivery and commits the alerts it raises.

mod claim;
mod opayo;
mod record;

pub(crate) use record::Received;
use record::received;

use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response, StatusCode};

use crate::delivery::CommittedMail;
use selectpay_domain::callback::backup::contradictions;
use selectpay_domain::callback::{
    CartlessResponse, FormError, InvalidReason, PaymentResponse, TransStatus, Verdict, parse_form,
    verify,
};
use selectpay_domain::decision::{
    Context, Decision, Reply, SavedOutcome, Snapshot, Writes, decide, decide_unknown_cartless,
};
use selectpay_domain::gateway::Gateway;
use selectpay_domain::notices;
use selectpay_domain::outcome::Outcome;
use selectpay_domain::ports::{Commit, CommitOrSaved, Delivery};

use crate::App;
use crate::reply::{self, HandlerError};

/// Lambda stops the callback function after 10 s (API Gateway gives up after 29 s): answer
/// 503 before that, so WorldPay alerts the merchant with the data and any retry finds what
/// was committed. A commit still in flight is harmless: repeats are idempotent.
const CALLBACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(8);

/// Deciding again after a failed condition converges in one or two rounds; more means
/// something else keeps changing the cart, and the gateway should retry later.
const MAX_DECISION_ROUNDS: usize = 4;

/// The outcome label of a callback, carried beside its response for the local server to show
/// in a header; the Lambda adapter sends only status, headers and body, so it never leaves AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackOutcome(pub String);

impl App {
    /// A delivery of a result from `gateway`: WorldPay's callback, or an Opayo return.
    pub(crate) async fn callback(
        &self,
        request: Request<Bytes>,
        gateway: Gateway,
    ) -> Response<Bytes> {
        let started = Instant::now();
        let received = received(&request);
        let work = async {
            match gateway {
                Gateway::WorldPay => self.process(&received).await,
                Gateway::Opayo => self.process_opayo(&received).await,
            }
        };
        let processed = tokio::time::timeout(CALLBACK_DEADLINE, work)
            .await
            .unwrap_or(Err(HandlerError::Deadline));
        let (outcome, mut response, cart_id, trans_id, mails) = match processed {
            Ok(Processed {
                outcome,
                reply,
                cart_id,
                trans_id,
                mails,
            }) => {
                let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
                // A refusal to the gateway says nothing; a shopper's browser gets a page.
                let response = if reply.page.is_empty() {
                    reply::status(status)
                } else {
                    reply::html(status, reply.page)
                };
                (outcome, response, cart_id, trans_id, mails)
            }
            Err(error) => {
                tracing::error!(%error, bug = error.is_bug(), "callback not processed");
                (
                    Outcome::StoreUnavailable,
                    error.response(),
                    None,
                    None,
                    CommittedMail::default(),
                )
            }
        };
        // After the commit, whatever the outcome: the reply is decided and nothing the
        // mailer does can change it.
        let mail = self.deliver_committed(&mails).await;
        tracing::info!(
            target: "selectpay::callback",
            outcome = %outcome.label(),
            mail = %mail.label(),
            status = response.status().as_u16(),
            cart_id = cart_id.as_deref().unwrap_or(""),
            trans_id = trans_id.as_deref().unwrap_or(""),
            latency_ms = started.elapsed().as_millis() as u64,
            gateway = %gateway,
            "callback"
        );
        response
            .extensions_mut()
            .insert(CallbackOutcome(outcome.label()));
        response
    }

    async fn process(&self, received: &Received) -> Result<Processed, HandlerError> {
        let form = match parse_form(&received.raw, received.content_type.as_deref()) {
            Ok(form) => form,
            Err(FormError::TooLarge) => return Ok(Processed::refused(Outcome::TooLarge, 413)),
            Err(FormError::UnsupportedCharset(_)) => {
                // Its bytes cannot be split as ASCII, so its password cannot be found to be
                // redacted: the delivery is kept without them.
                let outcome = Outcome::Invalid(InvalidReason::UnsupportedCharset);
                let delivery = Delivery {
                    raw: Vec::new(),
                    ..self.delivery(received, outcome, None, None)
                };
                self.commit_delivery(Writes::default(), delivery).await?;
                return Ok(Processed::refused(outcome, 400));
            }
            Err(_) => {
                let outcome = Outcome::Invalid(InvalidReason::Unparseable);
                self.record(received, outcome, None, None).await?;
                return Ok(Processed::refused(outcome, 400));
            }
        };
        let cart_id = form.non_blank("cartId").map(str::to_owned);
        let trans_id = form.non_blank("transId").map(str::to_owned);
        match verify(form, &self.config.settings) {
            Verdict::Forbidden(reason) => {
                let outcome = Outcome::Forbidden(reason);
                let delivery = self.delivery(received, outcome, cart_id.clone(), trans_id.clone());
                let context = self.context();
                let mails = self
                    .commit_alert(notices::security_alert(&context, reason)?, delivery)
                    .await?;
                Ok(Processed {
                    mails: mails.into(),
                    ..Processed::refused(outcome, 403).about(cart_id, trans_id)
                })
            }
            Verdict::Invalid(reason) => {
                let outcome = Outcome::Invalid(reason);
                self.record(received, outcome, cart_id.clone(), trans_id.clone())
                    .await?;
                Ok(Processed::refused(outcome, 400).about(cart_id, trans_id))
            }
            Verdict::Claim(claim) => self.claim(received, &claim).await,
            Verdict::Authentic(response) => {
                let (decision, mails) = self.apply(received, &response).await?;
                Ok(Processed {
                    outcome: decision.outcome,
                    reply: decision.reply,
                    cart_id,
                    trans_id,
                    mails,
                })
            }
            Verdict::WithoutCart(cartless) => {
                self.apply_cartless(received, *cartless, trans_id).await
            }
        }
    }

    /// A FuturePay callback without `cartId` is about its agreement's cart; for an agreement
    /// we never heard of, only the delivery is kept.
    async fn apply_cartless(
        &self,
        received: &Received,
        cartless: CartlessResponse,
        trans_id: Option<String>,
    ) -> Result<Processed, HandlerError> {
        let agreement = self.store.agreement(cartless.future_pay()).await?;
        match agreement {
            Some(agreement) => {
                let response = cartless.for_cart(agreement.cart_id);
                let (decision, mails) = self.apply(received, &response).await?;
                Ok(Processed {
                    outcome: decision.outcome,
                    reply: decision.reply,
                    cart_id: Some(response.cart_id.to_string()),
                    trans_id,
                    mails,
                })
            }
            None => {
                let decision = decide_unknown_cartless(&self.context(), &cartless)?;
                let delivery = self.delivery(received, decision.outcome, None, trans_id.clone());
                let mails = self.commit_alert_writes(decision.writes, delivery).await?;
                Ok(Processed {
                    outcome: decision.outcome,
                    reply: decision.reply,
                    cart_id: None,
                    trans_id,
                    mails: mails.into(),
                })
            }
        }
    }

    /// Decides on the optimistic assumption (one write on the happy path) and, when a
    /// condition fails, reads what is really there and decides again. With the decision,
    /// the mail its commit wrote, already claimed by this request: sending it costs no
    /// claim of its own.
    pub(crate) async fn apply(
        &self,
        received: &Received,
        response: &PaymentResponse,
    ) -> Result<(Decision, CommittedMail), HandlerError> {
        let key = response.idempotency_key();
        let trans_id = match &response.status {
            TransStatus::Authorised { trans_id, .. } => Some(trans_id.to_string()),
            _ => response.field("transId").map(str::to_owned),
        };
        let remembered = self.recent_outcomes.get(&key).map(decided_by);
        let mut snapshot = match remembered.or_else(|| Snapshot::optimistic(response)) {
            Some(snapshot) => snapshot,
            None => {
                self.store
                    .snapshot(&key, &response.cart_id, response.future_pay())
                    .await?
            }
        };
        let contradicted = query_contradictions(received, response);
        let lease = self.mail.lease();
        let leased = |mails| CommittedMail {
            mails,
            lease: Some(lease.clone()),
        };
        for _ in 0..MAX_DECISION_ROUNDS {
            let mut decision = decide(&self.context(), response, &snapshot)?;
            decision.writes.shopper_returned = received.shopper_returned.clone();
            decision.writes.mail_lease = Some(lease.clone());
            if !contradicted.is_empty() {
                decision.outcome = Outcome::Conflicting;
            }
            let delivery = self.delivery(
                received,
                decision.outcome,
                Some(response.cart_id.to_string()),
                trans_id.clone(),
            );
            if !decision.writes.depends_on_state() {
                let mut mails = self
                    .commit_alert_writes(decision.writes.clone(), delivery)
                    .await?;
                mails.extend(
                    self.alert_query_conflict(response, &contradicted, &lease)
                        .await?,
                );
                return Ok((decision, leased(mails)));
            }
            let commit = Commit {
                writes: decision.writes.clone(),
                delivery: Some(delivery),
            };
            match self.store.commit_or_saved(&commit).await? {
                CommitOrSaved::Committed => {
                    if let Some(saved) = &commit.writes.saved_outcome {
                        self.recent_outcomes.remember(saved);
                    }
                    let mut mails = commit.writes.mails;
                    mails.extend(
                        self.alert_query_conflict(response, &contradicted, &lease)
                            .await?,
                    );
                    return Ok((decision, leased(mails)));
                }
                // A repeat: its saved outcome alone decides, so nothing more is read.
                CommitOrSaved::ConditionFailed { saved: Some(saved) } => {
                    self.recent_outcomes.remember(&saved);
                    snapshot = decided_by(saved);
                }
                CommitOrSaved::ConditionFailed { saved: None } => {
                    snapshot = self
                        .store
                        .snapshot(&key, &response.cart_id, response.future_pay())
                        .await?;
                }
            }
        }
        Err(HandlerError::Contention)
    }

    /// What deciding and composing mail need, at this moment.
    pub(crate) fn context(&self) -> Context<'_> {
        Context {
            settings: &self.config.settings,
            templates: &self.templates,
            now: self.clock.now(),
        }
    }
}

struct Processed {
    outcome: Outcome,
    reply: Reply,
    cart_id: Option<String>,
    trans_id: Option<String>,
    /// Committed, to be sent once the reply is decided.
    mails: CommittedMail,
}

impl Processed {
    fn refused(outcome: Outcome, status: u16) -> Self {
        Self {
            outcome,
            reply: Reply {
                status,
                page: String::new(),
            },
            cart_id: None,
            trans_id: None,
            mails: CommittedMail::default(),
        }
    }

    fn about(self, cart_id: Option<String>, trans_id: Option<String>) -> Self {
        Self {
            cart_id,
            trans_id,
            ..self
        }
    }
}

/// The callback fields on which a POST's URL query string contradicts its body; none when it
/// has no query string or one that cannot be read.
fn query_contradictions(received: &Received, response: &PaymentResponse) -> Vec<String> {
    received
        .query
        .as_deref()
        .and_then(|query| parse_form(query.as_bytes(), None).ok())
        .map(|query| contradictions(&query, &response.form))
        .unwrap_or_default()
}

/// What decides a repeat: its saved outcome alone, so nothing more is read.
fn decided_by(saved: SavedOutcome) -> Snapshot {
    Snapshot {
        saved: Some(saved),
        cart: None,
        agreement: None,
    }
}
