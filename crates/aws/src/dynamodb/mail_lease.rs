//! The mail queue on the mail items. A mail still to try carries `queuePk = "QUEUE"` and
//! its `nextAttemptAt`, which put it in the sparse `mail-queue` index in next-attempt order;
//! a claim is `claimedBy` + `claimedUntil` and moves `nextAttemptAt` to the lease's end; a
//! parked mail has `failedAt` and leaves the index (it stays in `pending-mail`, which lists
//! all unsent mail). Every change is one conditional `UpdateItem`: two claimers cannot both
//! win, and the index is only a hint checked against a consistent read.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, MailSetback, QueuedMail};
use selectpay_domain::store::StoreError;
use time::OffsetDateTime;

use super::codec::{self, n, s, time};
use super::keys::attr::{
    ATTEMPTS, CLAIMED_BY, CLAIMED_UNTIL, FAILED_AT, LAST_ERROR, NEXT_ATTEMPT_AT, QUEUE_PK,
};
use super::keys::{Key, MAIL_QUEUE_INDEX, PENDING, PENDING_MAIL_INDEX, QUEUE, attr};
use super::reads::batch_get;
use super::{DynamoStore, unavailable};

pub async fn due_mail(
    store: &DynamoStore,
    now: OffsetDateTime,
    limit: usize,
) -> Result<Vec<QueuedMail>, StoreError> {
    let keys = index_keys(
        store,
        MAIL_QUEUE_INDEX,
        "#pk = :pk AND #at <= :now",
        (QUEUE_PK, NEXT_ATTEMPT_AT),
        vec![(":pk", s(QUEUE)), (":now", time(now)?)],
        limit,
    )
    .await?;
    let mut mails = consistent(store, keys).await?;
    mails.retain(|m| m.failed_at.is_none() && m.next_attempt_at <= now);
    Ok(mails)
}

pub async fn unsent_mail(store: &DynamoStore, limit: usize) -> Result<Vec<QueuedMail>, StoreError> {
    let keys = index_keys(
        store,
        PENDING_MAIL_INDEX,
        "#pk = :pk",
        (attr::PENDING_PK, attr::CREATED_AT),
        vec![(":pk", s(PENDING))],
        limit,
    )
    .await?;
    consistent(store, keys).await
}

pub async fn claim_mail(
    store: &DynamoStore,
    mail_id: &MailId,
    claim: &MailClaim,
) -> Result<bool, StoreError> {
    let update = update(store, mail_id)
        .update_expression("SET #by = :by, #until = :until, #next = :until ADD #attempts :one")
        .condition_expression(
            "attribute_exists(#queue) AND #next <= :now \
             AND (attribute_not_exists(#until) OR #until <= :now)",
        )
        .expression_attribute_names("#by", CLAIMED_BY)
        .expression_attribute_names("#until", CLAIMED_UNTIL)
        .expression_attribute_names("#next", NEXT_ATTEMPT_AT)
        .expression_attribute_names("#attempts", ATTEMPTS)
        .expression_attribute_names("#queue", QUEUE_PK)
        .expression_attribute_values(":by", s(&claim.by))
        .expression_attribute_values(":until", time(claim.until)?)
        .expression_attribute_values(":now", time(claim.now)?)
        .expression_attribute_values(":one", n(1));
    conditional(update).await
}

pub async fn release_mail(
    store: &DynamoStore,
    mail_id: &MailId,
    claimed_by: &str,
    setback: &MailSetback,
) -> Result<bool, StoreError> {
    let (expression, at, error) = match setback {
        MailSetback::Retry { at, error } => (
            "SET #next = :at, #error = :error REMOVE #by, #until",
            at,
            error,
        ),
        MailSetback::Park { at, error } => (
            "SET #failed = :at, #error = :error REMOVE #by, #until, #queue",
            at,
            error,
        ),
    };
    let mut update = update(store, mail_id)
        .update_expression(expression)
        .condition_expression("#by = :by AND attribute_exists(#queue)")
        .expression_attribute_names("#by", CLAIMED_BY)
        .expression_attribute_names("#until", CLAIMED_UNTIL)
        .expression_attribute_names("#queue", QUEUE_PK)
        .expression_attribute_names("#error", LAST_ERROR)
        .expression_attribute_values(":by", s(claimed_by))
        .expression_attribute_values(":at", time(*at)?)
        .expression_attribute_values(":error", s(error));
    update = match setback {
        MailSetback::Retry { .. } => update.expression_attribute_names("#next", NEXT_ATTEMPT_AT),
        MailSetback::Park { .. } => update.expression_attribute_names("#failed", FAILED_AT),
    };
    conditional(update).await
}

pub async fn requeue_mail(
    store: &DynamoStore,
    mail_id: &MailId,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = update(store, mail_id)
        .update_expression(
            "SET #queue = :queue, #next = :now, #attempts = :zero REMOVE #failed, #by, #until",
        )
        .condition_expression(
            "attribute_exists(#pending) AND (attribute_not_exists(#until) OR #until <= :now)",
        )
        .expression_attribute_names("#queue", QUEUE_PK)
        .expression_attribute_names("#next", NEXT_ATTEMPT_AT)
        .expression_attribute_names("#attempts", ATTEMPTS)
        .expression_attribute_names("#failed", FAILED_AT)
        .expression_attribute_names("#by", CLAIMED_BY)
        .expression_attribute_names("#until", CLAIMED_UNTIL)
        .expression_attribute_names("#pending", attr::PENDING_PK)
        .expression_attribute_values(":queue", s(QUEUE))
        .expression_attribute_values(":now", time(now)?)
        .expression_attribute_values(":zero", n(0));
    conditional(update).await
}

fn update(store: &DynamoStore, mail_id: &MailId) -> UpdateItemFluentBuilder {
    store
        .client
        .update_item()
        .table_name(&store.table)
        .set_key(Some(Key::mail(mail_id).item()))
}

/// Whether the update's condition held.
async fn conditional(update: UpdateItemFluentBuilder) -> Result<bool, StoreError> {
    match update.send().await {
        Ok(_) => Ok(true),
        Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
            Ok(false)
        }
        Err(e) => Err(unavailable(e)),
    }
}

/// Up to `limit` keys from a sparse index, in its order.
async fn index_keys(
    store: &DynamoStore,
    index: &str,
    condition: &str,
    (pk, sk): (&str, &str),
    values: Vec<(&str, AttributeValue)>,
    limit: usize,
) -> Result<Vec<Key>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut query = store
        .client
        .query()
        .table_name(&store.table)
        .index_name(index)
        .key_condition_expression(condition)
        .expression_attribute_names("#pk", pk)
        .scan_index_forward(true)
        .limit(i32::try_from(limit).unwrap_or(i32::MAX));
    if condition.contains("#at") {
        query = query.expression_attribute_names("#at", sk);
    }
    for (name, value) in values {
        query = query.expression_attribute_values(name, value);
    }
    let mut pages = query.into_paginator().send();
    let mut keys = Vec::new();
    while keys.len() < limit
        && let Some(page) = pages.next().await
    {
        let page = page.map_err(unavailable)?;
        keys.extend(page.items().iter().filter_map(Key::of));
    }
    keys.truncate(limit);
    Ok(keys)
}

/// The mails behind `keys` as they are now, in the keys' order, less any sent meanwhile.
async fn consistent(store: &DynamoStore, keys: Vec<Key>) -> Result<Vec<QueuedMail>, StoreError> {
    let order: HashMap<Key, usize> = keys.iter().cloned().zip(0..).collect();
    let mut mails = Vec::with_capacity(keys.len());
    for item in batch_get(store, keys).await? {
        mails.extend(codec::queued_mail(&item)?);
    }
    mails.sort_by_key(|m| order.get(&Key::mail(&m.mail.id)).copied());
    Ok(mails)
}
