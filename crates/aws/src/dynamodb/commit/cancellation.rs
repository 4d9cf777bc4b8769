//! What DynamoDB's cancellation reasons mean for a commit: a failed domain condition, a
//! conflict to retry, or a broken contract.

use aws_sdk_dynamodb::types::CancellationReason;
use selectpay_domain::ports::StoreError;

use super::entry::{Entry, Meaning};

pub(super) const CONDITIONAL_CHECK_FAILED: &str = "ConditionalCheckFailed";
const TRANSACTION_CONFLICT: &str = "TransactionConflict";

pub(super) enum Verdict {
    ConditionFailed,
    Conflict,
}

/// Why DynamoDB cancelled the transaction; the reasons are in the order of the items.
pub(super) fn judge(
    entries: &[Entry],
    reasons: &[CancellationReason],
) -> Result<Verdict, StoreError> {
    let failed: Vec<&Meaning> = entries
        .iter()
        .zip(reasons)
        .filter(|(_, reason)| reason.code() == Some(CONDITIONAL_CHECK_FAILED))
        .filter_map(|(entry, _)| entry.meaning.as_ref())
        .collect();
    match failed.iter().max() {
        Some(Meaning::Condition) => Ok(Verdict::ConditionFailed),
        Some(Meaning::AlreadyExists) => Err(StoreError::AlreadyExists),
        // The domain changes only carts it holds a condition on: this is a bug upstream,
        // and must not pass as written.
        Some(Meaning::CartMissing) => Err(StoreError::invariant(
            "cart change for a cart that does not exist",
        )),
        // Its guard held (no domain condition failed), so the mail should have been new.
        Some(Meaning::MailExists(id)) => Err(StoreError::invariant(format!(
            "mail {id} exists although its guard held"
        ))),
        None if reasons
            .iter()
            .any(|reason| reason.code() == Some(TRANSACTION_CONFLICT)) =>
        {
            Ok(Verdict::Conflict)
        }
        None => Err(StoreError::unavailable(format!(
            "transaction cancelled: {}",
            reasons
                .iter()
                .map(|r| format!("{} {}", r.code().unwrap_or("?"), r.message().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}
