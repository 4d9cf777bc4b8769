//! Embedded adapters of selectpay for the local server and tests: a SQLite [`Store`] and an
//! outbox folder [`Mailer`], no network needed.
//!
//! [`Store`]: selectpay_domain::ports::Store
//! [`Mailer`]: selectpay_domain::ports::Mailer

mod outbox;
mod sqlite;

pub use outbox::OutboxMailer;
pub use sqlite::SqliteStore;
