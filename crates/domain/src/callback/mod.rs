//! Payment responses from the gateway.

pub mod form;
pub mod response;

pub use form::{Form, FormError, parse_form, redact_password};
pub use response::{
    AgreementEvent, Fingerprint, ForbiddenReason, InvalidReason, PaymentResponse, TransStatus,
    Verdict, verify,
};
