//! Browser claims that a cart was paid (`CLAIM#<cartId>` / `CLAIM`): written once per cart,
//! listed in the `due-agreements` index under `duePk = "CLAIMED"` while open, and closed by
//! removing that key, so that a later claim finds the item and does not reopen it.

use std::num::NonZeroUsize;

use selectpay_domain::ids::CartId;
use selectpay_domain::store::{ClaimedPayment, StoreError};
use time::OffsetDateTime;

use super::codec;
use super::keys::*;
use super::{DynamoStore, put_new, reads, unavailable};

pub async fn note_claim(store: &DynamoStore, claim: &ClaimedPayment) -> Result<(), StoreError> {
    // The first claim for the cart is kept, open or closed.
    put_new(store, codec::claim_item(claim)?).await.map(drop)
}

pub async fn open_claims(
    store: &DynamoStore,
    before: OffsetDateTime,
    limit: NonZeroUsize,
) -> Result<Vec<ClaimedPayment>, StoreError> {
    reads::due_index_until(
        store,
        CLAIMED,
        before,
        None,
        limit.get(),
        codec::claimed_payment,
    )
    .await
}

/// Conditional on the item existing, so that closing an unknown cart creates nothing.
pub async fn close_claim(store: &DynamoStore, cart_id: &CartId) -> Result<(), StoreError> {
    let result = store
        .client
        .update_item()
        .table_name(&store.table)
        .set_key(Some(Key::claim(cart_id).item()))
        .update_expression("REMOVE #duePk, #dueAt")
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", attr::PK)
        .expression_attribute_names("#duePk", attr::DUE_PK)
        .expression_attribute_names("#dueAt", attr::DUE_AT)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(())
        }
        Err(error) => Err(unavailable(error)),
    }
}
