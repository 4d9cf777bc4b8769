//! A commit: the conditions are read and the writes made inside one immediate transaction,
//! so no other writer can slip in between the check and the write.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use selectpay_domain::store::{Commit, CommitResult, Condition, StoreError};

use super::rows::{self, sql_error};
use super::{awaiting, queries, relabel};

pub fn commit(conn: &mut Connection, commit: &Commit) -> Result<CommitResult, StoreError> {
    commit.writes.check().map_err(StoreError::invariant)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql_error)?;
    for condition in &commit.writes.conditions {
        if !holds(&tx, condition)? {
            // Dropping the transaction rolls it back; nothing has been written yet anyway.
            return Ok(CommitResult::ConditionFailed);
        }
    }
    for relabel in &commit.writes.relabels {
        if relabel::payment_status(&tx, &relabel.cart_id, &relabel.trans_id)? != Some(relabel.from)
        {
            return Ok(CommitResult::ConditionFailed);
        }
    }
    write(&tx, commit)?;
    tx.commit().map_err(sql_error)?;
    Ok(CommitResult::Committed)
}

fn holds(tx: &Transaction, condition: &Condition) -> Result<bool, StoreError> {
    Ok(match condition {
        Condition::OutcomeAbsent(key) => queries::saved_outcome(tx, key)?.is_none(),
        Condition::CartAbsent(cart_id) => queries::cart_state(tx, cart_id)?.is_none(),
        Condition::CartIs { cart_id, .. } => {
            queries::cart_state(tx, cart_id)?.is_some_and(|cart| condition.holds_for_cart(&cart))
        }
        Condition::MailAbsent(mail_id) => !queries::mail_exists(tx, mail_id)?,
        Condition::AgreementAbsent(id) => queries::agreement_version(tx, id)?.is_none(),
        Condition::AgreementAt { id, version } => {
            queries::agreement_version(tx, id)? == Some(*version)
        }
    })
}

/// Any error here drops the transaction unfinished, which rolls back what was written.
fn write(tx: &Transaction, commit: &Commit) -> Result<(), StoreError> {
    let writes = &commit.writes;
    if let Some(saved) = &writes.saved_outcome {
        rows::insert_saved_outcome(tx, saved)?;
    }
    if let Some(payment) = &writes.payment {
        rows::insert_payment(tx, payment)?;
    }
    if let Some(change) = &writes.cart_change
        && !rows::change_cart(tx, change)?
    {
        // The domain only changes carts it has a condition on; anything else is a bug
        // upstream, and must not pass as written.
        return Err(StoreError::invariant(format!(
            "cart change for unknown cart {}",
            change.cart_id
        )));
    }
    if let Some(agreement) = &writes.agreement {
        rows::put_agreement(tx, agreement)?;
    }
    for relabel in &writes.relabels {
        relabel::relabel_payment(tx, relabel)?;
    }
    if let Some(cart_id) = &writes.shopper_returned {
        awaiting::returned(tx, cart_id)?;
    }
    if let Some(delivery) = &commit.delivery {
        rows::insert_delivery(tx, delivery)?;
    }
    for mail in &writes.mails {
        // Its guard held, so the mail must be new: one that exists is a broken contract,
        // and it must not be overwritten or pass as sent anew.
        if queries::mail_exists(tx, &mail.id)? {
            return Err(StoreError::invariant(format!(
                "mail {} exists although its guard held",
                mail.id
            )));
        }
        rows::insert_mail(tx, mail, writes.mail_lease.as_ref())?;
    }
    Ok(())
}
