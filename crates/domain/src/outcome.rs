//! One label per delivery, for the log line and the metric.

use crate::callback::{ForbiddenReason, InvalidReason};
use crate::cart::ReviewReason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    /// Pre-authorised: the cart is fulfilled once the merchant captures the payment.
    Authorised,
    Cancelled,
    Duplicate,
    ConflictingDuplicate,
    /// An authentic callback whose URL's query string contradicts its body: the body is
    /// acted on, the operator alerted.
    Conflicting,
    DoublePayment,
    CancelAfterPay,
    /// The card was refused (Opayo's `NOTAUTHED`/`REJECTED`): the cart stays open.
    Declined,
    /// A payment that settles later (Opayo's `PENDING`): nothing is paid yet.
    Pending,
    /// The gateway could not take our request (Opayo's `MALFORMED`/`INVALID`/`ERROR`).
    NotCompleted,
    Review(ReviewReason),
    AgreementCreated,
    AgreementPayment,
    AgreementDeclined,
    AgreementEnded,
    UnknownAgreement,
    Forbidden(ForbiddenReason),
    Invalid(InvalidReason),
    TooLarge,
    StoreUnavailable,
    /// A browser-delivered backup (no `callbackPW`): answered, recorded, not acted on.
    Claim,
    /// A claim beyond the budget for unauthenticated input: answered 429, not recorded.
    ClaimThrottled,
}

impl Outcome {
    pub fn label(self) -> String {
        match self {
            Outcome::Paid => "paid".into(),
            Outcome::Authorised => "authorised".into(),
            Outcome::Cancelled => "cancelled".into(),
            Outcome::Duplicate => "duplicate".into(),
            Outcome::ConflictingDuplicate => "conflicting_duplicate".into(),
            Outcome::Conflicting => "conflicting".into(),
            Outcome::DoublePayment => "double_payment".into(),
            Outcome::CancelAfterPay => "cancel_after_pay".into(),
            Outcome::Declined => "declined".into(),
            Outcome::Pending => "pending".into(),
            Outcome::NotCompleted => "not_completed".into(),
            Outcome::AgreementCreated => "agreement_created".into(),
            Outcome::AgreementPayment => "agreement_payment".into(),
            Outcome::AgreementDeclined => "agreement_declined".into(),
            Outcome::AgreementEnded => "agreement_ended".into(),
            Outcome::UnknownAgreement => "unknown_agreement".into(),
            Outcome::Review(reason) => format!("review:{}", reason.as_str()),
            Outcome::Forbidden(reason) => format!("forbidden:{}", reason.as_str()),
            Outcome::Invalid(reason) => format!("invalid:{}", reason.as_str()),
            Outcome::TooLarge => "too_large".into(),
            Outcome::StoreUnavailable => "store_unavailable".into(),
            Outcome::Claim => "claim".into(),
            Outcome::ClaimThrottled => "claim_throttled".into(),
        }
    }
}
