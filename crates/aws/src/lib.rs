//! AWS adapters of selectpay: a DynamoDB store (every trait of the [store port]) and an SES
//! [`Mailer`], and the table the store needs ([`create_table_if_missing`]).
//!
//! The store: `dynamodb/keys.rs` (attribute names, key shapes, indexes), `dynamodb/codec/`
//! (one file per entity, each item writer beside its reader), `dynamodb/reads.rs`, and
//! `dynamodb/commit/`: one `TransactWriteItems` per commit, planned item by item
//! (`plan.rs`, `entry.rs`, `expression.rs`) and its cancellation reasons read back
//! (`cancellation.rs`).
//!
//! ```no_run
//! # async fn wire(table_name: String, sender: selectpay_domain::email::EmailAddress) {
//! use selectpay_aws::{DynamoStore, SesMailer};
//!
//! let config = selectpay_aws::lambda_sdk_config().expect("region and credentials set");
//! let store = DynamoStore::new(selectpay_aws::dynamodb_client(&config), table_name);
//! let mailer = SesMailer::new(selectpay_aws::ses_client(&config), sender);
//! # }
//! ```
//!
//! [store port]: selectpay_domain::store
//! [`Mailer`]: selectpay_domain::ports::Mailer

mod clients;
mod connection;
mod dynamodb;
mod environment;
mod http1;
mod ses;
mod table;
#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "provider-chain")]
pub use clients::load_sdk_config;
pub use clients::{dynamodb_client, plain_http_client, ses_client};
pub use dynamodb::DynamoStore;
pub use environment::{EnvironmentError, lambda_sdk_config};
pub use ses::SesMailer;
pub use table::create_table_if_missing;
