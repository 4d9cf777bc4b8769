//! A commit is one `TransactWriteItems`: the domain's conditions ride on the items the
//! commit writes anyway (`attribute_not_exists` on the saved outcome or an alert, the cart's
//! state on the update that pays it) or on `ConditionCheck`s, so the happy path is one
//! round trip and a refused commit writes nothing.
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

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use selectpay_domain::ports::{Commit, CommitResult, StoreError};

use super::{Backoff, DynamoStore, unavailable};
use cancellation::{Verdict, judge};

pub async fn commit(store: &DynamoStore, commit: &Commit) -> Result<CommitResult, StoreError> {
    commit.writes.check().map_err(StoreError::invariant)?;
    let entries = plan::plan(commit)?;
    if entries.is_empty() {
        // Nothing to write or check: DynamoDB refuses an empty transaction.
        return Ok(CommitResult::Committed);
    }
    let mut backoff = Backoff::default();
    loop {
        let items = entries
            .iter()
            .map(|entry| entry.to_transact_item(&store.table))
            .collect::<Result<Vec<_>, _>>()?;
        let sent = store
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let error = match sent {
            Ok(_) => return Ok(CommitResult::Committed),
            Err(error) => error,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            error.as_service_error()
        else {
            return Err(unavailable(error));
        };
        match judge(&entries, cancelled.cancellation_reasons())? {
            Verdict::ConditionFailed => return Ok(CommitResult::ConditionFailed),
            Verdict::Conflict => backoff.wait("transaction kept conflicting").await?,
        }
    }
}
