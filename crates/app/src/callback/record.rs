//! What a delivery leaves behind: the delivery itself, redacted, and the alerts it raises,
//! each committed once.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Method, Request};

use selectpay_domain::callback::{PaymentResponse, redact_password};
use selectpay_domain::decision::Writes;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::Mail;
use selectpay_domain::mail_queue::MailClaim;
use selectpay_domain::notices;
use selectpay_domain::outcome::Outcome;
use selectpay_domain::ports::{Commit, CommitResult, Delivery};

use crate::reply::HandlerError;
use crate::{App, random_id};

/// What a delivery is, before we know whether it means anything.
#[derive(Clone)]
pub(crate) struct Received {
    pub(crate) raw: Vec<u8>,
    pub(crate) content_type: Option<String>,
    /// A POST's URL query string (the FAQ's query-string callback), never authenticated.
    pub(crate) query: Option<String>,
    /// The cart whose shopper this brings back with a result (an Opayo return that
    /// decrypted): whatever its commit writes ends the cart's wait for its shopper.
    pub(crate) shopper_returned: Option<CartId>,
}

impl App {
    /// Tells the operator, once per distinct content, that the query string on a callback's
    /// URL named other values than its body. The alert, when this wrote it, for sending.
    /// Its mail is written under `lease`, the lease of the callback's own mail.
    pub(super) async fn alert_query_conflict(
        &self,
        response: &PaymentResponse,
        fields: &[String],
        lease: &MailClaim,
    ) -> Result<Vec<Mail>, HandlerError> {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        let alert = notices::query_conflict(&self.context(), response, fields)?;
        let commit = Commit {
            writes: Writes {
                mail_lease: Some(lease.clone()),
                ..Writes::alert(alert)
            },
            delivery: None,
        };
        Ok(match self.store.commit(&commit).await? {
            CommitResult::Committed => commit.writes.mails,
            CommitResult::ConditionFailed => Vec::new(),
        })
    }

    /// Records a delivery that changes nothing.
    pub(super) async fn record(
        &self,
        received: &Received,
        outcome: Outcome,
        cart_id: Option<String>,
        trans_id: Option<String>,
    ) -> Result<(), HandlerError> {
        let writes = Writes {
            shopper_returned: received.shopper_returned.clone(),
            ..Writes::default()
        };
        self.commit_delivery(writes, self.delivery(received, outcome, cart_id, trans_id))
            .await
    }

    /// The delivery, with `writes` that need no condition.
    pub(super) async fn commit_delivery(
        &self,
        writes: Writes,
        delivery: Delivery,
    ) -> Result<(), HandlerError> {
        let commit = Commit {
            writes,
            delivery: Some(delivery),
        };
        self.store.commit(&commit).await?;
        Ok(())
    }

    pub(super) async fn commit_alert(
        &self,
        alert: Mail,
        delivery: Delivery,
    ) -> Result<Vec<Mail>, HandlerError> {
        self.commit_alert_writes(Writes::alert(alert), delivery)
            .await
    }

    /// Commits an alert with its delivery; if the alert was written before, records just
    /// the delivery. The alert, when this commit wrote it, for sending.
    pub(super) async fn commit_alert_writes(
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
                    writes: Writes {
                        shopper_returned: commit.writes.shopper_returned,
                        ..Writes::default()
                    },
                    delivery: commit.delivery,
                };
                self.store.commit(&quiet).await?;
                Ok(Vec::new())
            }
        }
    }

    pub(super) fn delivery(
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

pub(super) fn received(request: &Request<Bytes>) -> Received {
    if request.method() == Method::GET {
        Received {
            raw: request.uri().query().unwrap_or("").as_bytes().to_vec(),
            content_type: None,
            query: None,
            shopper_returned: None,
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
            shopper_returned: None,
        }
    }
}
