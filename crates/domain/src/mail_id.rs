//! A mail's id names the event it reports, so the outbox refuses a second copy of the same
//! event. Every id's text is spelled here and nowhere else.

use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;

use crate::callback::Fingerprint;
use crate::idempotency_key::IdempotencyKey;
use crate::ids::{CartId, FuturePayId, TransId};

/// Serialised as its text, for the views that list mail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MailId(String);

/// Whom a mail about an agreement goes to, when both sides get one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Merchant,
    Shopper,
}

impl MailId {
    pub fn receipt(trans_id: &TransId) -> Self {
        Self(format!("receipt#{trans_id}"))
    }

    pub fn order_notice(trans_id: &TransId) -> Self {
        Self(format!("notice#{trans_id}"))
    }

    /// One alert per cart, however many sweeps see its claim unconfirmed.
    pub fn unconfirmed_claim(cart_id: &CartId) -> Self {
        Self(format!("unconfirmed-claim#{cart_id}"))
    }

    pub fn double_payment(trans_id: &TransId) -> Self {
        Self(format!("double#{trans_id}"))
    }

    pub fn review(trans_id: &TransId) -> Self {
        Self(format!("review#{trans_id}"))
    }

    /// Once per distinct content repeated under one key.
    pub fn conflicting_repeat(key: &IdempotencyKey, fingerprint: &Fingerprint) -> Self {
        Self(format!("conflict#{key}#{}", fingerprint.as_str()))
    }

    /// Once per distinct content whose URL query string contradicted its body.
    pub fn query_conflict(key: &IdempotencyKey, fingerprint: &Fingerprint) -> Self {
        Self(format!("query-conflict#{key}#{}", fingerprint.as_str()))
    }

    pub fn agreement_created(id: &FuturePayId) -> Self {
        Self(format!("fp-created#{id}"))
    }

    pub fn unknown_agreement(id: &FuturePayId, fingerprint: &Fingerprint) -> Self {
        Self(format!("fp-unknown#{id}#{}", fingerprint.as_str()))
    }

    pub fn agreement_declined(id: &FuturePayId, fingerprint: &Fingerprint) -> Self {
        Self(format!("fp-declined#{id}#{}", fingerprint.as_str()))
    }

    pub fn agreement_ended(id: &FuturePayId) -> Self {
        Self(format!("fp-ended#{id}"))
    }

    /// The sweep's mail about one overdue payment (`episode`, its due date) of an agreement:
    /// `step` says what the sweep did (`suspended`, `cancelled`), `to` whom it goes to.
    pub fn overdue_notice(step: &str, id: &FuturePayId, episode: &str, to: Recipient) -> Self {
        let to = match to {
            Recipient::Merchant => "merchant",
            Recipient::Shopper => "shopper",
        };
        Self(format!("{step}#{id}#{episode}#{to}"))
    }

    /// One alert per overdue payment whose cancellation keeps failing.
    pub fn cancel_failed(id: &FuturePayId, episode: &str) -> Self {
        Self(format!("sweep-failed#{id}#{episode}"))
    }

    /// The refund alert for a payment that landed while WorldPay cancelled the agreement.
    pub fn cancelled_at_gateway(id: &FuturePayId, payments_made: u32) -> Self {
        Self(format!("cancelled-at-gateway#{id}#{payments_made}"))
    }

    /// A scheduled payment for an agreement that is not on record.
    pub fn unknown_agreement_payment(id: &FuturePayId, trans_id: &TransId) -> Self {
        Self(format!("fp-unknown-payment#{id}#{trans_id}"))
    }

    /// At most one alert an hour about callbacks from the other mode than the installation's.
    pub fn other_mode(at: OffsetDateTime) -> Self {
        Self(format!("test-mode#{}", utc_hour(at)))
    }

    /// At most one security alert an hour: the id names the hour of `at`.
    pub fn security_alert(at: OffsetDateTime) -> Self {
        Self(format!("security#{}", utc_hour(at)))
    }

    /// At most one alert about parked mail an hour: the id names the hour of `at`.
    pub fn parked_mail_alert(at: OffsetDateTime) -> Self {
        Self(format!("mail-parked#{}", utc_hour(at)))
    }

    /// At most one list of carts still awaiting their shopper a day: the id names the UTC
    /// day of `at`.
    pub fn stale_carts_alert(at: OffsetDateTime) -> Self {
        Self(format!(
            "stale-carts#{}",
            at.to_offset(time::UtcOffset::UTC).date()
        ))
    }

    /// An id read back from a store, as [`MailId::as_str`] gave it.
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `YYYY-MM-DDTHH`, in UTC: the hour an hourly alert is for.
pub fn utc_hour(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{}T{:02}", at.date(), at.hour())
}

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
