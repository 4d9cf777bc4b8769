//! What the domain needs from the outside world. Adapters implement these: an embedded
//! store and an outbox folder locally, DynamoDB and SES on AWS. The store's part is the
//! [`store`](crate::store) module, re-exported here.

use async_trait::async_trait;
use thiserror::Error;
use time::OffsetDateTime;

use crate::ids::FuturePayId;
use crate::mail::Mail;

pub use crate::store::{
    Activity, AgreementPage, AwaitingCart, AwaitingShoppers, CartRecord, ClaimFollowUps,
    ClaimedPayment, Commit, CommitOrSaved, CommitResult, Delivery, DueAgreements, Inspect, Outbox,
    Store, StoreError,
};

#[derive(Debug, Error)]
pub enum MailError {
    /// The mail service did not take the mail: it may be tried again at once.
    #[error("mail not sent: {0}")]
    NotSent(String),
    /// The request may have reached the mail service: the mail may have gone out.
    #[error("mail outcome unknown: {0}")]
    Unknown(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// WorldPay's answer to a remote-administration request: `Y,<message>` or `E,<message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminReply {
    Done(String),
    Refused(String),
}

#[derive(Debug, Error)]
#[error("remote administration unreachable: {0}")]
pub struct AdminError(pub String);

/// WorldPay's remote administration of FuturePay agreements.
#[async_trait]
pub trait RemoteAdmin: Send + Sync {
    /// `op-cancelFP` for the agreement.
    async fn cancel_agreement(&self, id: &FuturePayId) -> Result<AdminReply, AdminError>;
}
