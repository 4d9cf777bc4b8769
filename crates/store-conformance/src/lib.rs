//! The behaviour every store must have, written once and run against each adapter, so the
//! embedded store and the DynamoDB one cannot drift apart. The cases are grouped by entity
//! under [`cases`](mod@cases); each is declared and registered once there.
//!
//! An adapter's test module is one line; the expression must be a future of a fresh, empty
//! store implementing [`Subject`], and the adapter crate needs `tokio` (with `macros` and
//! `rt-multi-thread`):
//!
//! ```ignore
//! selectpay_store_conformance::store_conformance_tests!(async { MyStore::new().await });
//! ```

#[doc(hidden)]
pub mod cases;
pub mod fixtures;

use async_trait::async_trait;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::store::{
    AwaitingShoppers, ClaimFollowUps, DueAgreements, Inspect, Outbox, Store,
};

/// What the suite runs against: every trait of the store port, and [`Tamper`].
pub trait Subject:
    Store + DueAgreements + ClaimFollowUps + AwaitingShoppers + Outbox + Inspect + Tamper + 'static
{
}

impl<
    T: Store + DueAgreements + ClaimFollowUps + AwaitingShoppers + Outbox + Inspect + Tamper + 'static,
> Subject for T
{
}

/// Damage to stored data that no store operation can make, so that the suite can check
/// that both stores refuse it alike. Implemented by each adapter under its `testing`
/// feature; these panic if the damage cannot be done.
#[async_trait]
pub trait Tamper: Send + Sync {
    /// Replaces the stored FuturePay plan of the cart with `json`, as if written by a bug.
    async fn overwrite_plan(&self, cart_id: &CartId, json: &str);

    /// Sets the stored payment interval multiplier of the agreement to `mult`.
    async fn overwrite_interval_mult(&self, id: &FuturePayId, mult: u32);
}
