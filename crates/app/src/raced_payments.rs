//! Payments that raced the sweep's cancellation: accepted on a cart after the sweep claimed
//! its agreement, when WorldPay then confirmed the cancellation. They are held for refund
//! (`review:cancelled_at_gateway`) in the commit that marks the agreement cancelled.
//!
//! A payment on the agreement is written with the agreement's change in one commit, so
//! the cart's accepted payments read before the claim (which holds only if the agreement
//! did not change since) are exactly those that did not race it.

use std::collections::HashSet;

use selectpay_domain::cart::{PaymentStatus, ReviewReason};
use selectpay_domain::decision::PaymentRelabel;
use selectpay_domain::ids::{CartId, TransId};
use selectpay_domain::ports::{Store, StoreError};

/// The cart's accepted payments so far, by `transId`.
pub async fn accepted(store: &dyn Store, cart_id: &CartId) -> Result<HashSet<TransId>, StoreError> {
    Ok(store
        .cart(cart_id)
        .await?
        .map(|record| {
            record
                .payments
                .into_iter()
                .filter(|payment| payment.status == PaymentStatus::Accepted)
                .map(|payment| payment.trans_id)
                .collect()
        })
        .unwrap_or_default())
}

/// Relabels for the cart's accepted payments that are not among `before`: each holds only
/// if the payment is still accepted when written.
pub async fn hold_for_refund(
    store: &dyn Store,
    cart_id: &CartId,
    before: &HashSet<TransId>,
) -> Result<Vec<PaymentRelabel>, StoreError> {
    let now = accepted(store, cart_id).await?;
    let mut raced: Vec<TransId> = now.difference(before).cloned().collect();
    raced.sort();
    Ok(raced
        .into_iter()
        .map(|trans_id| PaymentRelabel {
            cart_id: cart_id.clone(),
            trans_id,
            from: PaymentStatus::Accepted,
            to: PaymentStatus::Review(ReviewReason::CancelledAtGateway),
        })
        .collect())
}
