//! Reads. All are strongly consistent except the `pending-mail` index query, whose answer is
//! checked against the mails themselves.

use std::cmp::Reverse;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::KeysAndAttributes;
use selectpay_domain::decision::Snapshot;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::{Mail, StoredMail};
use selectpay_domain::ports::{Activity, CartRecord, StoreError};
use time::OffsetDateTime;

use super::items::{self, Item, Key, Kind, PENDING, PENDING_MAIL_INDEX, attr, s};
use super::{Backoff, DynamoStore, unavailable};

/// BatchGetItem's limit on keys per request.
const BATCH_GET_KEYS: usize = 100;

/// `recent` scans the whole table: fine for a dev table, which is all it is for. Past this
/// many 1 MB pages it shows the newest of what it read rather than run on.
const RECENT_SCAN_PAGES: usize = 16;

async fn get(store: &DynamoStore, key: Key) -> Result<Option<Item>, StoreError> {
    let output = store
        .client
        .get_item()
        .table_name(&store.table)
        .set_key(Some(key.item()))
        .consistent_read(true)
        .send()
        .await
        .map_err(unavailable)?;
    Ok(output.item)
}

/// Two reads side by side, one round trip. They need not be atomic together: the commit's
/// conditions check again whatever is decided on them.
pub async fn snapshot(
    store: &DynamoStore,
    key: &str,
    cart_id: &CartId,
) -> Result<Snapshot, StoreError> {
    let (saved, cart) = tokio::try_join!(
        get(store, Key::outcome(key)),
        get(store, Key::cart(cart_id))
    )?;
    Ok(Snapshot {
        saved: saved.as_ref().map(items::saved_outcome).transpose()?,
        cart: cart.as_ref().map(items::cart_state).transpose()?,
    })
}

/// The items at `keys`, in no particular order; missing ones are left out.
async fn batch_get(store: &DynamoStore, mut keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::with_capacity(keys.len());
    let mut backoff = Backoff::default();
    while !keys.is_empty() {
        let batch = keys.split_off(keys.len().saturating_sub(BATCH_GET_KEYS));
        let request = KeysAndAttributes::builder()
            .set_keys(Some(batch.iter().map(Key::item).collect()))
            .consistent_read(true)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("batch get: {e}")))?;
        let mut output = store
            .client
            .batch_get_item()
            .request_items(&store.table, request)
            .send()
            .await
            .map_err(unavailable)?;
        found.extend(
            output
                .responses
                .as_mut()
                .and_then(|responses| responses.remove(&store.table))
                .unwrap_or_default(),
        );
        let unprocessed = output
            .unprocessed_keys
            .as_mut()
            .and_then(|unprocessed| unprocessed.remove(&store.table));
        if let Some(unprocessed) = unprocessed.filter(|u| !u.keys.is_empty()) {
            keys.extend(unprocessed.keys.iter().filter_map(Key::of));
            backoff.wait("keys stayed unprocessed").await?;
        }
    }
    Ok(found)
}

/// The cart's partition is the cart, its payments and pointers to its mails: one query,
/// then one batch read for the mails themselves.
pub async fn cart(store: &DynamoStore, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
    let mut pages = store
        .client
        .query()
        .table_name(&store.table)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", attr::PK)
        .expression_attribute_values(":pk", s(Key::cart_partition(cart_id)))
        .consistent_read(true)
        .into_paginator()
        .send();
    let (mut cart, mut payments, mut mail_keys) = (None, Vec::new(), Vec::new());
    while let Some(page) = pages.next().await {
        for item in page.map_err(unavailable)?.items() {
            match Kind::of(item) {
                Some(Kind::Cart) => cart = Some(items::cart(item)?),
                Some(Kind::Payment) => payments.push(items::payment(item)?),
                Some(Kind::MailPointer) => mail_keys.push(Key::mail(&items::mail_id(item)?)),
                _ => {}
            }
        }
    }
    let Some(cart) = cart else {
        return Ok(None);
    };
    let pointers = mail_keys.len();
    let mut mails = batch_get(store, mail_keys)
        .await?
        .iter()
        .map(items::stored_mail)
        .collect::<Result<Vec<_>, _>>()?;
    if mails.len() != pointers {
        // Pointer and mail are written in one transaction and never deleted.
        return Err(StoreError::Corrupt(format!(
            "cart {cart_id} lists {pointers} mails but {} exist",
            mails.len()
        )));
    }
    payments.sort_by(|a, b| (a.received_at, &a.trans_id).cmp(&(b.received_at, &b.trans_id)));
    mails.sort_by(|a, b| (a.mail.created_at, &a.mail.id).cmp(&(b.mail.created_at, &b.mail.id)));
    Ok(Some(CartRecord {
        cart,
        payments,
        mails,
    }))
}

/// The index lags writes by up to a second or so, so a mail marked sent a moment ago may
/// still be listed there: a consistent read of the mails themselves keeps a sweep from
/// sending it twice.
pub async fn pending_mail(
    store: &DynamoStore,
    created_before: OffsetDateTime,
    limit: usize,
) -> Result<Vec<Mail>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut pages = store
        .client
        .query()
        .table_name(&store.table)
        .index_name(PENDING_MAIL_INDEX)
        .key_condition_expression("#pendingPk = :pending AND #createdAt < :before")
        .expression_attribute_names("#pendingPk", attr::PENDING_PK)
        .expression_attribute_names("#createdAt", attr::CREATED_AT)
        .expression_attribute_values(":pending", s(PENDING))
        .expression_attribute_values(":before", items::time(created_before)?)
        .scan_index_forward(true)
        .limit(i32::try_from(limit).unwrap_or(i32::MAX))
        .into_paginator()
        .send();
    let mut keys = Vec::new();
    while keys.len() < limit
        && let Some(page) = pages.next().await
    {
        let page = page.map_err(unavailable)?;
        keys.extend(page.items().iter().filter_map(Key::of));
    }
    keys.truncate(limit);
    let order: HashMap<Key, usize> = keys.iter().cloned().zip(0..).collect();
    let mut mails = batch_get(store, keys)
        .await?
        .iter()
        .map(items::stored_mail)
        .filter(|mail| {
            !matches!(
                mail,
                Ok(StoredMail {
                    sent_at: Some(_),
                    ..
                })
            )
        })
        .map(|mail| mail.map(|stored| stored.mail))
        .collect::<Result<Vec<_>, _>>()?;
    mails.sort_by_key(|mail| order.get(&Key::mail(&mail.id)).copied());
    Ok(mails)
}

/// Newest first, ties broken by id, `limit` of each kind.
pub async fn recent(store: &DynamoStore, limit: usize) -> Result<Activity, StoreError> {
    let mut pages = store
        .client
        .scan()
        .table_name(&store.table)
        .consistent_read(true)
        .into_paginator()
        .send();
    let mut activity = Activity::default();
    let mut read = 0;
    while read < RECENT_SCAN_PAGES
        && let Some(page) = pages.next().await
    {
        read += 1;
        for item in page.map_err(unavailable)?.items() {
            match Kind::of(item) {
                Some(Kind::Cart) => activity.carts.push(items::cart(item)?),
                Some(Kind::Payment) => activity.payments.push(items::payment(item)?),
                Some(Kind::Delivery) => activity.deliveries.push(items::delivery(item)?),
                Some(Kind::Mail) => activity.mails.push(items::stored_mail(item)?),
                _ => {}
            }
        }
    }
    newest(&mut activity.carts, limit, |c| {
        (c.created_at, c.id.to_string())
    });
    newest(&mut activity.payments, limit, |p| {
        (p.received_at, p.trans_id.to_string())
    });
    newest(&mut activity.deliveries, limit, |d| {
        (d.received_at, d.id.clone())
    });
    newest(&mut activity.mails, limit, |m| {
        (m.mail.created_at, m.mail.id.clone())
    });
    Ok(activity)
}

fn newest<T>(records: &mut Vec<T>, limit: usize, key: impl Fn(&T) -> (OffsetDateTime, String)) {
    records.sort_by_cached_key(|record| Reverse(key(record)));
    records.truncate(limit);
}
