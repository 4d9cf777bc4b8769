//! Reads for people inspecting one order: its deliveries, one delivery by id, and finding it
//! by transaction.

use selectpay_domain::ids::CartId;
use selectpay_domain::store::{Delivery, StoreError};

use super::codec::{self, s};
use super::keys::{Key, Kind, attr};
use super::reads::partition;
use super::{DynamoStore, unavailable};

/// One query of the cart's delivery partition, whose sort key is the time received.
pub async fn cart_deliveries(
    store: &DynamoStore,
    cart_id: &CartId,
) -> Result<Vec<Delivery>, StoreError> {
    partition(store, Key::delivery_partition(cart_id))
        .await?
        .iter()
        .map(codec::delivery)
        .collect()
}

/// Payments are keyed by cart, so finding one by transaction id scans the table: this is
/// for a person searching the dashboard, never for the request path.
pub async fn cart_of_transaction(
    store: &DynamoStore,
    trans_id: &str,
) -> Result<Option<CartId>, StoreError> {
    let mut pages = store
        .client
        .scan()
        .table_name(&store.table)
        .filter_expression("#t = :t")
        .expression_attribute_names("#t", attr::TRANS_ID)
        .expression_attribute_values(":t", s(trans_id))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for item in page.map_err(unavailable)?.items() {
            if Kind::of(item) == Some(Kind::Payment) {
                return Ok(Some(codec::payment(item)?.cart_id));
            }
        }
    }
    Ok(None)
}

/// Deliveries are keyed by cart and time, so finding one by id alone scans the table: this is
/// for an operator's `selectpay replay --delivery`, never for the request path.
pub async fn delivery(store: &DynamoStore, id: &str) -> Result<Option<Delivery>, StoreError> {
    let mut pages = store
        .client
        .scan()
        .table_name(&store.table)
        .filter_expression("#d = :d")
        .expression_attribute_names("#d", attr::DELIVERY_ID)
        .expression_attribute_values(":d", s(id))
        .consistent_read(true)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for item in page.map_err(unavailable)?.items() {
            if Kind::of(item) == Some(Kind::Delivery) {
                return Ok(Some(codec::delivery(item)?));
            }
        }
    }
    Ok(None)
}
