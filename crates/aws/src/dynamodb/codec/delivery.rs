//! A raw delivery, kept for 90 days.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::store::{Delivery, StoreError};
use time::Duration;

use super::Fields;
use super::{insert_optional, n, s, time};
use crate::dynamodb::keys::*;

/// Raw deliveries are evidence for a person to look at, not state: DynamoDB's TTL removes
/// them after this long.
const DELIVERY_LIFETIME: Duration = Duration::days(90);

pub fn delivery_item(delivery: &Delivery) -> Result<Item, StoreError> {
    let expires_at = (delivery.received_at + DELIVERY_LIFETIME).unix_timestamp();
    let mut item = Key::delivery(delivery)?.item();
    item.extend([
        (attr::DELIVERY_ID.to_owned(), s(&delivery.id)),
        (attr::RECEIVED_AT.to_owned(), time(delivery.received_at)?),
        (attr::OUTCOME.to_owned(), s(&delivery.outcome)),
        (
            attr::RAW.to_owned(),
            AttributeValue::B(Blob::new(delivery.raw.clone())),
        ),
        (attr::EXPIRES_AT.to_owned(), n(expires_at)),
    ]);
    insert_optional(&mut item, attr::CART_ID, delivery.cart_id.as_deref());
    insert_optional(&mut item, attr::TRANS_ID, delivery.trans_id.as_deref());
    insert_optional(
        &mut item,
        attr::CONTENT_TYPE,
        delivery.content_type.as_deref(),
    );
    insert_optional(&mut item, attr::QUERY, delivery.query.as_deref());
    Ok(item)
}

pub fn delivery(item: &Item) -> Result<Delivery, StoreError> {
    let fields = Fields(item);
    Ok(Delivery {
        id: fields.owned(attr::DELIVERY_ID)?,
        received_at: fields.time(attr::RECEIVED_AT)?,
        cart_id: fields.optional_owned(attr::CART_ID)?,
        trans_id: fields.optional_owned(attr::TRANS_ID)?,
        outcome: fields.owned(attr::OUTCOME)?,
        content_type: fields.optional_owned(attr::CONTENT_TYPE)?,
        raw: fields.bytes(attr::RAW)?,
        query: fields.optional_owned(attr::QUERY)?,
    })
}
