//! WorldPay's remote administration of FuturePay agreements (`/wcc/iadmin`).
//!
//! [`WorldPayRemoteAdmin`] implements the domain's [`RemoteAdmin`] port. With the `testing`
//! feature, [`fake::FakeRemoteAdmin`] is a scripted stand-in for WorldPay on 127.0.0.1.
//!
//! WorldPay's wire format lives here alone: the iadmin form and its reply texts
//! ([`ALREADY_ENDED`]).
//!
//! HTTPS goes over reqwest on rustls 0.23 with the aws-lc-rs provider, the one the AWS SDK's
//! client uses here (selectpay_aws::load_sdk_config), with the provider passed explicitly:
//! nothing here installs a process-wide rustls provider, and no binary links ring. [`http_client`] is the one constructor of
//! reqwest clients for the whole workspace (tools and tests too).
//!
//! [`RemoteAdmin`]: selectpay_domain::ports::RemoteAdmin

mod admin;
pub mod gateway_simulator;
pub mod http_client;
mod reply;

#[cfg(feature = "testing")]
pub mod fake;

pub use admin::{CONNECT_TIMEOUT, MAX_REPLY_BYTES, TOTAL_TIMEOUT, WorldPayRemoteAdmin};
pub use reply::ALREADY_ENDED;
