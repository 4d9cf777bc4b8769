//! The store contract, written once for every adapter (SQLite locally, DynamoDB on AWS) and
//! checked by the conformance suite: the vocabulary of reads and writes ([`contract`]), the
//! traits cut by capability, what can go wrong, and the encodings both stores share.

mod awaiting;
mod claimed;
pub mod contract;
mod due_cursor;
mod error;
mod outbox;
mod port;
pub mod time_text;

pub use awaiting::AwaitingCart;
pub use claimed::ClaimedPayment;
pub use contract::{
    Activity, AgreementPage, CartChange, CartRecord, Commit, CommitOrSaved, CommitResult,
    Condition, Delivery, PaymentRelabel, Reply, SavedOutcome, Snapshot, UnguardedMail, Writes,
};
pub use due_cursor::DueCursor;
pub use error::{Cause, StoreError};
pub use outbox::Outbox;
pub use port::{AwaitingShoppers, ClaimFollowUps, DueAgreements, Inspect, Store};
