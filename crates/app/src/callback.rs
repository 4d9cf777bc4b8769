//! `POST /callback` and `GET /callback`: payment responses from the gateway; and, in
//! [`opayo`], Opayo's results on `GET /return/opayo`.

mod opayo;

use std::sync::PoisonError;
use std::time::Instant;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Method, Request, Response, StatusCode};

use selectpay_domain::callback::backup::{Claim, contradictions};
use selectpay_domain::callback::{
    CartlessResponse, FormError, InvalidReason, PaymentResponse, TransStatus, Verdict, parse_form,
    redact_password, verify,
};
use selectpay_domain::decision::{
    Context, Decision, Reply, Snapshot, Writes, answer_claim, claim_to_follow_up, decide,
    decide_unknown_cartless,
};
use selectpay_domain::gateway::Gateway;
use selectpay_domain::mail::Mail;
use selectpay_domain::notices;
use selectpay_domain::outcome::Outcome;
use selectpay_domain::ports::{Commit, CommitOrSaved, CommitResult, Delivery};

use crate::reply::{self, HandlerError};
use crate::{App, random_id};

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

/// What a delivery is, before we know whether it means anything.
pub(crate) struct Received {
    pub(crate) raw: Vec<u8>,
    pub(crate) content_type: Option<String>,
    /// A POST's URL query string (the FAQ's query-string callback), never authenticated.
    pub(crate) query: Option<String>,
}

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
                    Vec::new(),
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
                self.commit_delivery(delivery).await?;
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
                    mails,
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
                    mails,
                })
            }
        }
    }

    /// Decides on the optimistic assumption (one write on the happy path) and, when a
    /// condition fails, reads what is really there and decides again. With the decision,
    /// the mail its commit wrote.
    pub(crate) async fn apply(
        &self,
        received: &Received,
        response: &PaymentResponse,
    ) -> Result<(Decision, Vec<Mail>), HandlerError> {
        let key = response.idempotency_key();
        let trans_id = match &response.status {
            TransStatus::Authorised { trans_id, .. } => Some(trans_id.to_string()),
            _ => response.field("transId").map(str::to_owned),
        };
        let mut snapshot = match Snapshot::optimistic(response) {
            Some(snapshot) => snapshot,
            None => {
                self.store
                    .snapshot(&key, &response.cart_id, response.future_pay())
                    .await?
            }
        };
        let contradicted = query_contradictions(received, response);
        for _ in 0..MAX_DECISION_ROUNDS {
            let mut decision = decide(&self.context(), response, &snapshot)?;
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
                mails.extend(self.alert_query_conflict(response, &contradicted).await?);
                return Ok((decision, mails));
            }
            let commit = Commit {
                writes: decision.writes.clone(),
                delivery: Some(delivery),
            };
            match self.store.commit_or_saved(&commit).await? {
                CommitOrSaved::Committed => {
                    let mut mails = commit.writes.mails;
                    mails.extend(self.alert_query_conflict(response, &contradicted).await?);
                    return Ok((decision, mails));
                }
                // A repeat: its saved outcome alone decides, so nothing more is read.
                CommitOrSaved::ConditionFailed { saved: Some(saved) } => {
                    snapshot = Snapshot {
                        saved: Some(saved),
                        cart: None,
                        agreement: None,
                    };
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

    /// Tells the operator, once per distinct content, that the query string on a callback's
    /// URL named other values than its body. The alert, when this wrote it, for sending.
    async fn alert_query_conflict(
        &self,
        response: &PaymentResponse,
        fields: &[String],
    ) -> Result<Vec<Mail>, HandlerError> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        let commit = Commit {
            writes: Writes::alert(notices::query_conflict(&self.context(), response, fields)?),
            delivery: None,
        };
        Ok(match self.store.commit(&commit).await? {
            CommitResult::Committed => commit.writes.mails,
            CommitResult::ConditionFailed => Vec::new(),
        })
    }

    /// A backup from the shopper's browser: answered from what is stored and recorded as a
    /// claim, within a budget, since anyone can send one.
    async fn claim(&self, received: &Received, claim: &Claim) -> Result<Processed, HandlerError> {
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
            mails: Vec::new(),
        })
    }

    /// Records a delivery that changes nothing.
    async fn record(
        &self,
        received: &Received,
        outcome: Outcome,
        cart_id: Option<String>,
        trans_id: Option<String>,
    ) -> Result<(), HandlerError> {
        self.commit_delivery(self.delivery(received, outcome, cart_id, trans_id))
            .await
    }

    async fn commit_delivery(&self, delivery: Delivery) -> Result<(), HandlerError> {
        let commit = Commit {
            writes: Writes::default(),
            delivery: Some(delivery),
        };
        self.store.commit(&commit).await?;
        Ok(())
    }

    async fn commit_alert(
        &self,
        alert: Mail,
        delivery: Delivery,
    ) -> Result<Vec<Mail>, HandlerError> {
        self.commit_alert_writes(Writes::alert(alert), delivery)
            .await
    }

    /// Commits an alert with its delivery; if the alert was written before, records just
    /// the delivery. The alert, when this commit wrote it, for sending.
    async fn commit_alert_writes(
        &self,
        writes: Writes,
        delivery: Delivery,
    ) -> Result<Vec<Mail>, HandlerError> {
        let commit = Commit {
            writes,
            delivery: Some(delivery),
        };
        match self.store.commit(&commit).await? {
            CommitResult::Committed => Ok(commit.writes.mails),
            CommitResult::ConditionFailed => {
                let quiet = Commit {
                    writes: Writes::default(),
                    delivery: commit.delivery,
                };
                self.store.commit(&quiet).await?;
                Ok(Vec::new())
            }
        }
    }

    /// What deciding and composing mail need, at this moment.
    pub(crate) fn context(&self) -> Context<'_> {
        Context {
            settings: &self.config.settings,
            templates: &self.templates,
            now: self.clock.now(),
        }
    }

    fn delivery(
        &self,
        received: &Received,
        outcome: Outcome,
        cart_id: Option<String>,
        trans_id: Option<String>,
    ) -> Delivery {
        let received_at = self.clock.now();
        Delivery {
            id: format!("{}-{}", received_at.unix_timestamp_nanos(), random_id()),
            received_at,
            cart_id,
            trans_id,
            outcome: outcome.label(),
            content_type: received.content_type.clone(),
            raw: redact_password(&received.raw),
            // A URI is ASCII, so nothing is lost in the conversion.
            query: received
                .query
                .as_deref()
                .map(|q| String::from_utf8_lossy(&redact_password(q.as_bytes())).into_owned()),
        }
    }
}

struct Processed {
    outcome: Outcome,
    reply: Reply,
    cart_id: Option<String>,
    trans_id: Option<String>,
    /// Committed, to be sent once the reply is decided.
    mails: Vec<Mail>,
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
            mails: Vec::new(),
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

fn received(request: &Request<Bytes>) -> Received {
    if request.method() == Method::GET {
        Received {
            raw: request.uri().query().unwrap_or("").as_bytes().to_vec(),
            content_type: None,
            query: None,
        }
    } else {
        Received {
            raw: request.body().to_vec(),
            content_type: request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            query: request.uri().query().map(str::to_owned),
        }
    }
}
