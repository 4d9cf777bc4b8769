//! Payment responses from the gateway.

pub mod auth_mode;
pub mod backup;
pub mod charset;
pub mod form;
pub mod hold;
pub mod rate;
pub mod repeats;
pub mod response;
pub mod risk;
pub mod trans_time;

pub use form::{Form, FormError, parse_form, redact_password};
pub use response::{
    AgreementEvent, CartlessResponse, Fingerprint, ForbiddenReason, InvalidReason, PaymentResponse,
    TransStatus, Verdict, verify, verify_vouched,
};
