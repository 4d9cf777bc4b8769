//! Carts awaiting their shopper (`AWAIT#<cartId>` / `AWAIT`): put in the same transaction as
//! the cart, listed in the `due-agreements` index under `duePk = "AWAITING"` by the cart's
//! time, and taken out of it by the commit of the shopper's first result.
//!
//! Why an item of its own, taken out in the commit, rather than the index keys on the cart
//! filtered by its status: a declined or held result leaves the cart `pending`, so the status
//! cannot tell a cart that got a result from one that did not; and a filter would leave every
//! Opayo cart ever sold in the index, so the sweep's query would grow with all of them
//! instead of with the carts still awaited. Apart from the cart, the commit's removal is one
//! `Put` of this item without the index keys: it never touches the cart's own item, which
//! the same commit may be changing.

use std::num::NonZeroUsize;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use selectpay_domain::cart::Cart;
use selectpay_domain::ids::CartId;
use selectpay_domain::store::{AwaitingCart, StoreError};
use time::OffsetDateTime;

use super::codec;
use super::keys::{AWAITING, Item, Key, attr};
use super::{DynamoStore, reads, unavailable};

/// The cart and its listing, both or neither; `AlreadyExists` if the cart id is taken.
pub async fn insert_cart(store: &DynamoStore, cart: &Cart) -> Result<(), StoreError> {
    let new_cart = put(store, codec::cart_item(cart)?)
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", attr::PK);
    let listing = put(store, codec::awaiting_item(&AwaitingCart::from(cart))?);
    let items = [new_cart, listing]
        .into_iter()
        .map(|put| {
            let put = put.build().map_err(StoreError::invariant)?;
            Ok(TransactWriteItem::builder().put(put).build())
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let result = store
        .client
        .transact_write_items()
        .set_transact_items(Some(items))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match error.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled))
                if cancelled
                    .cancellation_reasons()
                    .first()
                    .and_then(|reason| reason.code())
                    == Some("ConditionalCheckFailed") =>
            {
                Err(StoreError::AlreadyExists)
            }
            _ => Err(unavailable(error)),
        },
    }
}

fn put(store: &DynamoStore, item: Item) -> aws_sdk_dynamodb::types::builders::PutBuilder {
    Put::builder().table_name(&store.table).set_item(Some(item))
}

/// Out of the index, conditional on being in it, so that an unknown cart creates nothing.
pub async fn stop_awaiting(store: &DynamoStore, cart_id: &CartId) -> Result<bool, StoreError> {
    let result = store
        .client
        .update_item()
        .table_name(&store.table)
        .set_key(Some(Key::awaiting(cart_id).item()))
        .update_expression("REMOVE #duePk, #dueAt")
        .condition_expression("attribute_exists(#duePk)")
        .expression_attribute_names("#duePk", attr::DUE_PK)
        .expression_attribute_names("#dueAt", attr::DUE_AT)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(error) => Err(unavailable(error)),
    }
}

/// From the index alone, like the due agreements: an entry may lag a commit by a moment (a
/// cart whose shopper came back a second ago is listed once more), which at worst names it
/// in a list the merchant checks by hand anyway.
pub async fn stale_carts(
    store: &DynamoStore,
    stored_by: OffsetDateTime,
    limit: NonZeroUsize,
) -> Result<Vec<AwaitingCart>, StoreError> {
    reads::due_index_until(
        store,
        AWAITING,
        stored_by,
        None,
        limit.get(),
        codec::awaiting_cart,
    )
    .await
}
