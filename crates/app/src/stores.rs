//! The parts of the store port the handlers take. `Inspect` is not among them: only the
//! dashboard and the CLI list everything, and they hold it themselves.

use std::sync::Arc;

use selectpay_domain::store::{AwaitingShoppers, ClaimFollowUps, DueAgreements, Outbox, Store};

#[derive(Clone)]
pub struct Stores {
    /// Carts, snapshots and commits: the purchase API and the callback.
    pub store: Arc<dyn Store>,
    /// The sweep's list of overdue agreements.
    pub due: Arc<dyn DueAgreements>,
    /// Browser claims of payment, kept until the sweep has followed them up.
    pub claims: Arc<dyn ClaimFollowUps>,
    /// Carts sent to Opayo whose shopper has not come back, for the sweep's daily alert.
    pub awaiting: Arc<dyn AwaitingShoppers>,
    /// Mail waiting to be sent, for redelivery.
    pub outbox: Arc<dyn Outbox>,
}

/// One adapter that is all of them, as both real stores are.
impl<S: Store + DueAgreements + ClaimFollowUps + AwaitingShoppers + Outbox + 'static> From<Arc<S>>
    for Stores
{
    fn from(store: Arc<S>) -> Self {
        Self {
            store: store.clone(),
            due: store.clone(),
            claims: store.clone(),
            awaiting: store.clone(),
            outbox: store,
        }
    }
}
