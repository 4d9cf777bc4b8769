//! Payment responses from the gateway.

pub mod form;
pub mod response;
pub mod trans_time;

pub use form::{Form, FormError, MAX_CALLBACK_BYTES, parse_form, redact_password};
pub use response::{
    Fingerprint, ForbiddenReason, InvalidReason, PaymentResponse, TransStatus, Verdict, verify,
};
