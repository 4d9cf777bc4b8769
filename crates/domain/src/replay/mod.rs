//! Callback data that reaches us after the fact, for `selectpay replay`: the operator vouches
//! for where it came from, these modules only read it.

pub mod failure_alert;
pub mod form_file;
pub mod summary;

pub use failure_alert::{FailureAlert, FailureAlertError, MAX_ALERT_BYTES, parse_failure_alert};
pub use form_file::{CallbackData, FormFileError, read_form_file};
