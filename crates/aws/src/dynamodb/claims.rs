//! Browser claims that a cart was paid (`CLAIM#<cartId>` / `CLAIM`): written once per cart,
//! listed in the `due-agreements` index under `duePk = "CLAIMED"` while open, and closed by
//! removing that key, so that a later claim finds the item and does not reopen it.

use std::num::NonZeroUsize;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use selectpay_domain::ids::CartId;
use selectpay_domain::store::{ClaimedPayment, StoreError};
use time::OffsetDateTime;

use super::codec::{self, s};
use super::keys::*;
use super::{DynamoStore, unavailable};

pub async fn note_claim(store: &DynamoStore, claim: &ClaimedPayment) -> Result<(), StoreError> {
    let result = store
        .client
        .put_item()
        .table_name(&store.table)
        .set_item(Some(codec::claim_item(claim)?))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", attr::PK)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match error.as_service_error() {
            // The first claim for the cart is kept, open or closed.
            Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(()),
            _ => Err(unavailable(error)),
        },
    }
}

pub async fn open_claims(
    store: &DynamoStore,
    before: OffsetDateTime,
    limit: NonZeroUsize,
) -> Result<Vec<ClaimedPayment>, StoreError> {
    let limit = limit.get();
    let mut start = None;
    let mut claims = Vec::new();
    loop {
        let page = store
            .client
            .query()
            .table_name(&store.table)
            .index_name(DUE_AGREEMENTS_INDEX)
            .key_condition_expression("#duePk = :claimed AND #dueAt <= :before")
            .expression_attribute_names("#duePk", attr::DUE_PK)
            .expression_attribute_names("#dueAt", attr::DUE_AT)
            .expression_attribute_values(":claimed", s(CLAIMED))
            .expression_attribute_values(":before", codec::time(before)?)
            .scan_index_forward(true)
            .limit(i32::try_from(limit - claims.len()).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(unavailable)?;
        for item in page.items() {
            claims.push(codec::claimed_payment(item)?);
        }
        start = page.last_evaluated_key.filter(|key| !key.is_empty());
        // DynamoDB stops a page at 1 MB as well as at the limit.
        if claims.len() >= limit || start.is_none() {
            return Ok(claims);
        }
    }
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
