//! Embedded adapters of selectpay for the local server and tests: a SQLite store (every
//! trait of the [store port]) and an outbox folder [`Mailer`], no network needed. The
//! `testing` feature adds the conformance suite's `Tamper` for the SQLite store.
//!
//! [store port]: selectpay_domain::store
//! [`Mailer`]: selectpay_domain::ports::Mailer

mod outbox;
mod sqlite;

pub use outbox::OutboxMailer;
pub use sqlite::SqliteStore;
