//! Embedded adapters of selectpay for the local server and tests: a SQLite store (every
//! trait of the [store port]) and an outbox folder [`Mailer`], no network needed. The
//! `testing` feature adds the conformance suite's `Tamper` for the SQLite store.
//!
//! The store is organised as DynamoDB's is: `sqlite/rows/` has one file per table with its
//! `CREATE TABLE`, the writer of its rows beside their reader; `sqlite/queries.rs` the reads;
//! `sqlite/commit.rs` the conditions and writes of a commit in one immediate transaction;
//! `sqlite/schema.rs` opening and migrating the file.
//!
//! [store port]: selectpay_domain::store
//! [`Mailer`]: selectpay_domain::ports::Mailer

mod outbox;
mod sqlite;

pub use outbox::OutboxMailer;
pub use sqlite::SqliteStore;
