//! A commit is one `TransactWriteItems`: the domain's conditions ride on the items the
//! commit writes anyway (`attribute_not_exists` on the saved outcome or an alert, the cart's
//! state on the update that pays it) or on `ConditionCheck`s, so the happy path is one
//! round trip and a refused commit writes nothing. A commit of one put alone (a repeat's
//! delivery) is a plain conditional `PutItem`, at half a transaction's write cost.
//!
//! The saved outcome's entry asks for `ALL_OLD` on a failed condition, so a repeat's
//! refused commit carries the saved outcome back and the callback reads nothing after it.
//! Each request reports its consumed capacity (`ReturnConsumedCapacity=TOTAL`), logged at
//! debug.
//!
//! An agreement is written whole (a `Put`): `AgreementAbsent` and `AgreementAt` become
//! `attribute_not_exists(pk)` and `version = :v` on that very put, so a stale decision can
//! never overwrite a newer state, and attributes the new state lacks (the due time of an
//! ended agreement) are gone, which takes it out of the sparse index. Unless the commit
//! proves the agreement exists (`AgreementAt`), the pointer from its cart is put alongside:
//! the pointer never changes, so putting it again costs a write but changes nothing.
//!
//! A payment relabel is an `Update` of the payment's status under `status = :from`, which
//! also proves the payment exists, so a stale relabel fails the commit and creates nothing.
//!
//! Every mail is guarded by a condition ([`Writes::check`], refused before anything is
//! sent), so a mail that exists when the guard held is a broken contract: each mail is put
//! with `attribute_not_exists`, and its failure alone is `Invariant`, never an overwrite.
//!
//! [`Writes::check`]: selectpay_domain::store::Writes::check

mod cancellation;
mod entry;
mod expression;
mod plan;
#[cfg(test)]
mod tests;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, ReturnConsumedCapacity};
use selectpay_domain::store::{Commit, CommitOrSaved, SavedOutcome, StoreError};

use super::codec;
use super::keys::Item;
use super::{Backoff, DynamoStore, unavailable};
use cancellation::{CONDITIONAL_CHECK_FAILED, Verdict, judge};
use entry::{Action, Entry};
use expression::Expression;

pub async fn commit(store: &DynamoStore, commit: &Commit) -> Result<CommitOrSaved, StoreError> {
    commit.writes.check().map_err(StoreError::invariant)?;
    let entries = plan::plan(commit)?;
    if entries.is_empty() {
        // Nothing to write or check: DynamoDB refuses an empty transaction.
        return Ok(CommitOrSaved::Committed);
    }
    let mut backoff = Backoff::default();
    loop {
        let Some(reasons) = send(store, &entries).await? else {
            return Ok(CommitOrSaved::Committed);
        };
        match judge(&entries, &reasons)? {
            Verdict::ConditionFailed => {
                let saved = saved_outcome(&entries, &reasons)?;
                return Ok(CommitOrSaved::ConditionFailed { saved });
            }
            Verdict::Conflict => backoff.wait("transaction kept conflicting").await?,
        }
    }
}

/// Writes `entries` in one request: `None` once written, else DynamoDB's reasons for
/// refusing, one per entry.
async fn send(
    store: &DynamoStore,
    entries: &[Entry],
) -> Result<Option<Vec<CancellationReason>>, StoreError> {
    if let [entry] = entries
        && let Action::Put(item) = &entry.action
    {
        return put(store, entry, item).await;
    }
    let items = entries
        .iter()
        .map(|entry| entry.to_transact_item(&store.table))
        .collect::<Result<Vec<_>, _>>()?;
    let sent = store
        .client
        .transact_write_items()
        .set_transact_items(Some(items))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    match sent {
        Ok(output) => {
            tracing::debug!(consumed = ?output.consumed_capacity(), "TransactWriteItems");
            Ok(None)
        }
        Err(error) => match error.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                Ok(Some(cancelled.cancellation_reasons().to_vec()))
            }
            _ => Err(unavailable(error)),
        },
    }
}

/// One put alone, as a conditional `PutItem`; a failed condition is told as the one
/// cancellation reason a transaction of it would have given.
async fn put(
    store: &DynamoStore,
    entry: &Entry,
    item: &Item,
) -> Result<Option<Vec<CancellationReason>>, StoreError> {
    let mut expr = Expression::default();
    let condition = entry.condition(&mut expr);
    let sent = store
        .client
        .put_item()
        .table_name(&store.table)
        .set_item(Some(item.clone()))
        .set_condition_expression(condition)
        .set_expression_attribute_names(expr.names())
        .set_expression_attribute_values(expr.values())
        .set_return_values_on_condition_check_failure(entry.old_on_failure())
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    match sent {
        Ok(output) => {
            tracing::debug!(consumed = ?output.consumed_capacity(), "PutItem");
            Ok(None)
        }
        Err(error) => match error.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                let reason = CancellationReason::builder()
                    .code(CONDITIONAL_CHECK_FAILED)
                    .set_item(failed.item().cloned())
                    .build();
                Ok(Some(vec![reason]))
            }
            _ => Err(unavailable(error)),
        },
    }
}

/// The saved outcome a refused commit found under its `OutcomeAbsent` entry, when DynamoDB
/// handed the item back.
fn saved_outcome(
    entries: &[Entry],
    reasons: &[CancellationReason],
) -> Result<Option<SavedOutcome>, StoreError> {
    entries
        .iter()
        .zip(reasons)
        .filter(|(entry, reason)| {
            entry.returns_old && reason.code() == Some(CONDITIONAL_CHECK_FAILED)
        })
        .find_map(|(_, reason)| reason.item())
        .map(codec::saved_outcome)
        .transpose()
}
