//! Reads. All are strongly consistent except the index query of `due-agreements`, whose
//! answer is used as it is (see [`due_agreements`]). The mail indexes are read in
//! `mail_lease.rs`, which checks their answer against the mails themselves.

use std::cmp::Reverse;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::KeysAndAttributes;
use std::num::NonZeroUsize;

use selectpay_domain::futurepay::Agreement;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::store::{
    Activity, AgreementPage, CartRecord, DueCursor, Snapshot, StoreError,
};
use time::OffsetDateTime;

use super::codec::{self, s};
use super::keys::{AGREEMENT_PK, AGREEMENT_SK, DUE, DUE_AGREEMENTS_INDEX, Item, Key, Kind, attr};
use super::{Backoff, DynamoStore, unavailable};

/// BatchGetItem's limit on keys per request.
const BATCH_GET_KEYS: usize = 100;

/// `recent` and `agreements` scan the whole table: fine for a dev table, which is all they
/// are for. Past this many 1 MB pages they show the newest of what they read rather than run
/// on.
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

/// Two or three reads side by side, one round trip. They need not be atomic together: the
/// commit's conditions check again whatever is decided on them.
pub async fn snapshot(
    store: &DynamoStore,
    key: &IdempotencyKey,
    cart_id: &CartId,
    agreement_id: Option<&FuturePayId>,
) -> Result<Snapshot, StoreError> {
    let agreement = async {
        match agreement_id {
            Some(id) => get(store, Key::agreement(id)).await,
            None => Ok(None),
        }
    };
    let (saved, cart, agreement) = tokio::try_join!(
        get(store, Key::outcome(key)),
        get(store, Key::cart(cart_id)),
        agreement
    )?;
    Ok(Snapshot {
        saved: saved.as_ref().map(codec::saved_outcome).transpose()?,
        cart: cart.as_ref().map(codec::cart_state).transpose()?,
        agreement: agreement.as_ref().map(codec::agreement).transpose()?,
    })
}

pub async fn agreement(
    store: &DynamoStore,
    id: &FuturePayId,
) -> Result<Option<Agreement>, StoreError> {
    get(store, Key::agreement(id))
        .await?
        .as_ref()
        .map(codec::agreement)
        .transpose()
}

/// The items at `keys`, in no particular order; missing ones are left out.
pub(super) async fn batch_get(
    store: &DynamoStore,
    mut keys: Vec<Key>,
) -> Result<Vec<Item>, StoreError> {
    let mut found = Vec::with_capacity(keys.len());
    let mut backoff = Backoff::default();
    while !keys.is_empty() {
        let batch = keys.split_off(keys.len().saturating_sub(BATCH_GET_KEYS));
        let request = KeysAndAttributes::builder()
            .set_keys(Some(batch.iter().map(Key::item).collect()))
            .consistent_read(true)
            .build()
            .map_err(StoreError::invariant)?;
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

/// Every item of one partition, in sort-key order, read consistently, all pages.
pub(super) async fn partition(store: &DynamoStore, pk: String) -> Result<Vec<Item>, StoreError> {
    let mut pages = store
        .client
        .query()
        .table_name(&store.table)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", attr::PK)
        .expression_attribute_values(":pk", s(pk))
        .consistent_read(true)
        .into_paginator()
        .send();
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        items.extend(page.map_err(unavailable)?.items().iter().cloned());
    }
    Ok(items)
}

/// The cart's partition is the cart, its payments and pointers to its mails and agreements:
/// one query, then one batch read for the mails and agreements themselves.
pub async fn cart(store: &DynamoStore, cart_id: &CartId) -> Result<Option<CartRecord>, StoreError> {
    let (mut cart, mut payments, mut keys) = (None, Vec::new(), Vec::new());
    let (mut mail_pointers, mut agreement_pointers) = (0, 0);
    for item in &partition(store, Key::cart_partition(cart_id)).await? {
        match Kind::of(item) {
            Some(Kind::Cart) => cart = Some(codec::cart(item)?),
            Some(Kind::Payment) => payments.push(codec::payment(item)?),
            Some(Kind::MailPointer) => {
                mail_pointers += 1;
                keys.push(Key::mail(&codec::mail_id(item)?));
            }
            Some(Kind::AgreementPointer) => {
                agreement_pointers += 1;
                keys.push(Key::agreement(&codec::agreement_id(item)?));
            }
            _ => {}
        }
    }
    let Some(cart) = cart else {
        return Ok(None);
    };
    let (mut mails, mut agreements) = (Vec::new(), Vec::new());
    for item in batch_get(store, keys).await? {
        match Kind::of(&item) {
            Some(Kind::Mail) => mails.push(codec::stored_mail(&item)?),
            Some(Kind::Agreement) => agreements.push(codec::agreement(&item)?),
            _ => {}
        }
    }
    // Pointer and item are written in one transaction and never deleted.
    for (what, pointers, found) in [
        ("mails", mail_pointers, mails.len()),
        ("agreements", agreement_pointers, agreements.len()),
    ] {
        if found != pointers {
            return Err(StoreError::corrupt(format!(
                "cart {cart_id} lists {pointers} {what} but {found} exist"
            )));
        }
    }
    payments.sort_by(|a, b| (a.received_at, &a.trans_id).cmp(&(b.received_at, &b.trans_id)));
    mails.sort_by(|a, b| (a.mail.created_at, &a.mail.id).cmp(&(b.mail.created_at, &b.mail.id)));
    agreements.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(Some(CartRecord {
        cart,
        payments,
        mails,
        agreements,
    }))
}

/// A page of agreements due at `now`, read from the sparse `due-agreements` index alone:
/// DynamoDB reads just the index entries with `dueAt <= now` (plus one, to know whether
/// there is a next page), so the cost follows the number due, whatever the number of
/// agreements. The index projects whole items, so there is no second read.
///
/// The index is eventually consistent: an agreement changed a moment ago may be listed in
/// its previous state (due though just paid, or at an older version). That is safe because
/// the sweep first claims an agreement under `AgreementAt` its listed version, which fails
/// on a stale listing (the sweep skips it until its next run), and asks the gateway only
/// once the claim is written. Reading the items again here would cost a batch read per page
/// and `BatchGetItem`, which the sweep's role does not have.
pub async fn due_agreements(
    store: &DynamoStore,
    now: OffsetDateTime,
    after: Option<&str>,
    limit: NonZeroUsize,
) -> Result<AgreementPage, StoreError> {
    let limit = limit.get();
    let want = limit.saturating_add(1);
    let start = after.map(start_key).transpose()?;
    let mut agreements = due_index_until(store, DUE, now, start, want, codec::agreement).await?;
    let next = if agreements.len() > limit {
        agreements.truncate(limit);
        agreements
            .last()
            .map(|last| DueCursor::after(last)?.encode())
            .transpose()?
    } else {
        None
    };
    Ok(AgreementPage { agreements, next })
}

/// Up to `want` items of the `due-agreements` index under `duePk = partition` whose `dueAt`
/// is at or before `until`, earliest first, from `start` on. Each DynamoDB page stops at the
/// limit or at 1 MB, so pages are read until `want` items are in or none are left.
pub(super) async fn due_index_until<T>(
    store: &DynamoStore,
    partition: &str,
    until: OffsetDateTime,
    mut start: Option<Item>,
    want: usize,
    decode: impl Fn(&Item) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut found = Vec::new();
    loop {
        let page = store
            .client
            .query()
            .table_name(&store.table)
            .index_name(DUE_AGREEMENTS_INDEX)
            .key_condition_expression("#duePk = :partition AND #dueAt <= :until")
            .expression_attribute_names("#duePk", attr::DUE_PK)
            .expression_attribute_names("#dueAt", attr::DUE_AT)
            .expression_attribute_values(":partition", s(partition))
            .expression_attribute_values(":until", codec::time(until)?)
            .scan_index_forward(true)
            .limit(i32::try_from(want - found.len()).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(unavailable)?;
        for item in page.items() {
            found.push(decode(item)?);
        }
        start = page.last_evaluated_key.filter(|key| !key.is_empty());
        if found.len() >= want || start.is_none() {
            return Ok(found);
        }
    }
}

/// The index's `ExclusiveStartKey` just after `cursor`'s position: with the fixed partition
/// and the agreement's own key. The cursor is the domain's, so a bad one is refused before
/// any query and cannot start a sweep at a random place.
fn start_key(cursor: &str) -> Result<Item, StoreError> {
    let cursor = DueCursor::decode(cursor)?;
    let mut key = Key::agreement(&cursor.id).item();
    key.extend(HashMap::from([
        (attr::DUE_PK.to_owned(), s(DUE)),
        (attr::DUE_AT.to_owned(), codec::time(cursor.overdue_at)?),
    ]));
    Ok(key)
}

/// Every agreement, newest first (ties by id), for people. There is no index of all
/// agreements, so this scans the table, as `recent` does: for a dev table, which is all it
/// is for. No deployed function may `Scan` (template.yaml), and keeping a listing of every
/// agreement would cost each creation another write for a page nobody serves on AWS.
pub async fn agreements(store: &DynamoStore, limit: usize) -> Result<Vec<Agreement>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut pages = store
        .client
        .scan()
        .table_name(&store.table)
        .filter_expression("begins_with(#pk, :agreement) AND #sk = :sk")
        .expression_attribute_names("#pk", attr::PK)
        .expression_attribute_names("#sk", attr::SK)
        .expression_attribute_values(":agreement", s(AGREEMENT_PK))
        .expression_attribute_values(":sk", s(AGREEMENT_SK))
        .consistent_read(true)
        .into_paginator()
        .send();
    let mut agreements = Vec::new();
    let mut read = 0;
    while read < RECENT_SCAN_PAGES
        && let Some(page) = pages.next().await
    {
        read += 1;
        for item in page.map_err(unavailable)?.items() {
            if Kind::of(item) == Some(Kind::Agreement) {
                agreements.push(codec::agreement(item)?);
            }
        }
    }
    agreements.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    agreements.truncate(limit);
    Ok(agreements)
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
                Some(Kind::Cart) => activity.carts.push(codec::cart(item)?),
                Some(Kind::Payment) => activity.payments.push(codec::payment(item)?),
                Some(Kind::Delivery) => activity.deliveries.push(codec::delivery(item)?),
                Some(Kind::Mail) => activity.mails.push(codec::stored_mail(item)?),
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
        (m.mail.created_at, m.mail.id.to_string())
    });
    Ok(activity)
}

fn newest<T>(records: &mut Vec<T>, limit: usize, key: impl Fn(&T) -> (OffsetDateTime, String)) {
    records.sort_by_cached_key(|record| Reverse(key(record)));
    records.truncate(limit);
}
