//! The parts of the store port the handlers take. `Inspect` is not among them: only the
//! dashboard and the CLI list everything, and they hold it themselves.

use std::sync::Arc;

use selectpay_domain::store::{DueAgreements, Outbox, Store};

#[derive(Clone)]
pub struct Stores {
    /// Carts, snapshots and commits: the purchase API and the callback.
    pub store: Arc<dyn Store>,
    /// The sweep's list of overdue agreements.
    pub due: Arc<dyn DueAgreements>,
    /// Mail waiting to be sent, for redelivery.
    pub outbox: Arc<dyn Outbox>,
}

/// One adapter that is all three, as both real stores are.
impl<S: Store + DueAgreements + Outbox + 'static> From<Arc<S>> for Stores {
    fn from(store: Arc<S>) -> Self {
        Self {
            store: store.clone(),
            due: store.clone(),
            outbox: store,
        }
    }
}
