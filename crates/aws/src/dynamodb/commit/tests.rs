//! The transaction plans and the verdicts on their cancellation, without DynamoDB.

use std::collections::HashSet;

use selectpay_domain::futurepay::AgreementStatus;
use selectpay_domain::store::Writes;
use selectpay_store_conformance::fixtures::{
    agreement, agreement_change, agreement_created, at, cart, delivery, happy_path, mail, mail_id,
    sweep_commit, trans_id,
};

use aws_sdk_dynamodb::types::CancellationReason;
use selectpay_domain::decision::Condition;
use selectpay_domain::ports::{Commit, StoreError};

use super::cancellation::{Verdict, judge};
use super::entry::{Action, Clause, Entry, Meaning};
use super::expression::Expression;
use super::plan::plan;
use crate::dynamodb::codec::{self, n};
use crate::dynamodb::keys::{Key, attr};

fn happy_commit() -> Commit {
    let cart = cart("cart-1");
    Commit {
        writes: happy_path(&cart, "T1"),
        delivery: Some(delivery("d1", Some(&cart.id), at(60))),
    }
}

/// The reasons DynamoDB gives for `entries`, "None" but for the given ones.
fn reasons(entries: &[Entry], failed: &[(&Key, &str)]) -> Vec<CancellationReason> {
    entries
        .iter()
        .map(|entry| {
            let code = failed
                .iter()
                .find(|(key, _)| **key == entry.key)
                .map_or("None", |(_, code)| code);
            CancellationReason::builder().code(code).build()
        })
        .collect()
}

#[test]
fn conditions_ride_on_the_items_written_so_each_item_is_touched_once() {
    let commit = happy_commit();
    let entries = plan(&commit).unwrap();
    let keys: HashSet<_> = entries.iter().map(|entry| &entry.key).collect();
    assert_eq!(keys.len(), entries.len(), "{entries:#?}");
    // Outcome, payment, cart, delivery, and two mails with a pointer each.
    assert_eq!(entries.len(), 8);
    assert!(
        entries
            .iter()
            .all(|entry| !matches!(entry.action, Action::Check))
    );
    let cart = entries
        .iter()
        .find(|entry| matches!(entry.action, Action::ChangeCart(_)))
        .unwrap();
    assert!(matches!(
        cart.clauses.as_slice(),
        [Clause::Exists, Clause::CartIs { .. }]
    ));
    assert_eq!(cart.meaning, Some(Meaning::Condition));
    let outcome = Key::transaction(&trans_id("T1"));
    let outcome = entries.iter().find(|entry| entry.key == outcome).unwrap();
    assert!(matches!(outcome.clauses.as_slice(), [Clause::Absent]));
    assert_eq!(outcome.meaning, Some(Meaning::Condition));
}

#[test]
fn a_conflict_is_retried_but_a_failed_condition_is_final() {
    let commit = happy_commit();
    let entries = plan(&commit).unwrap();
    let cart = Key::cart(&cart("cart-1").id);
    let payment = &Key::payment(commit.writes.payment.as_ref().unwrap());
    let verdict = judge(
        &entries,
        &reasons(&entries, &[(&cart, "TransactionConflict")]),
    );
    assert!(matches!(verdict, Ok(Verdict::Conflict)));
    let both = [
        (&cart, "ConditionalCheckFailed"),
        (payment, "TransactionConflict"),
    ];
    let verdict = judge(&entries, &reasons(&entries, &both));
    assert!(matches!(verdict, Ok(Verdict::ConditionFailed)));
}

#[test]
fn an_unguarded_write_that_finds_its_item_is_an_error_not_a_condition() {
    let mut commit = happy_commit();
    commit.writes.conditions.clear();
    let entries = plan(&commit).unwrap();
    let payment = &Key::payment(commit.writes.payment.as_ref().unwrap());
    let failed = reasons(&entries, &[(payment, "ConditionalCheckFailed")]);
    assert!(matches!(
        judge(&entries, &failed),
        Err(StoreError::AlreadyExists)
    ));
    let cart = Key::cart(&cart("cart-1").id);
    let failed = reasons(&entries, &[(&cart, "ConditionalCheckFailed")]);
    assert!(matches!(
        judge(&entries, &failed),
        Err(StoreError::Invariant(_))
    ));
}

#[test]
fn an_existing_mail_is_a_condition_under_mail_absent_and_else_a_broken_contract() {
    let alert = mail(mail_id("alert#1"), None, at(10));
    let guarded = Commit {
        writes: Writes::alert(alert.clone()),
        delivery: Some(delivery("d1", None, at(10))),
    };
    let entries = plan(&guarded).unwrap();
    let failed = reasons(
        &entries,
        &[(&Key::mail(&alert.id), "ConditionalCheckFailed")],
    );
    assert!(matches!(
        judge(&entries, &failed),
        Ok(Verdict::ConditionFailed)
    ));

    let commit = happy_commit();
    let entries = plan(&commit).unwrap();
    let receipt = &commit.writes.mails[0];
    let failed = reasons(
        &entries,
        &[(&Key::mail(&receipt.id), "ConditionalCheckFailed")],
    );
    assert!(matches!(
        judge(&entries, &failed),
        Err(StoreError::Invariant(_))
    ));
}

#[test]
fn a_new_agreement_is_put_once_guarded_by_its_absence_with_its_pointer() {
    let cart = cart("cart-1");
    let created = agreement("193743", &cart.id);
    let commit = Commit {
        writes: agreement_created(&cart, "T1", &created),
        delivery: Some(delivery("d1", Some(&cart.id), at(60))),
    };
    let entries = plan(&commit).unwrap();
    let keys: HashSet<_> = entries.iter().map(|entry| &entry.key).collect();
    assert_eq!(keys.len(), entries.len(), "{entries:#?}");
    // The happy path's eight, the agreement and its pointer.
    assert_eq!(entries.len(), 10);
    let key = Key::agreement(&created.id);
    let put = entries.iter().find(|entry| entry.key == key).unwrap();
    assert!(matches!(put.action, Action::Put(_)));
    assert!(matches!(put.clauses.as_slice(), [Clause::Absent]));
    assert_eq!(put.meaning, Some(Meaning::Condition));
    let pointer = Key::agreement_pointer(&cart.id, &created.id);
    let pointer = entries.iter().find(|entry| entry.key == pointer).unwrap();
    assert!(pointer.clauses.is_empty());
}

#[test]
fn a_changed_agreement_is_put_under_its_version_without_a_pointer_or_delivery() {
    let cart = cart("cart-1");
    let current = agreement("193743", &cart.id);
    let ended = current.ended(AgreementStatus::CancelledForNonPayment);
    let commit = sweep_commit(agreement_change(&current, ended.clone()));
    let entries = plan(&commit).unwrap();
    let [entry] = entries.as_slice() else {
        panic!("only the agreement: {entries:#?}");
    };
    assert_eq!(entry.key, Key::agreement(&current.id));
    assert!(matches!(entry.clauses.as_slice(), [Clause::Version(3)]));
    let Action::Put(item) = &entry.action else {
        panic!("a put: {entry:#?}");
    };
    // Put whole, so the index attributes of the due time are gone with it.
    assert_eq!(item, &codec::agreement_item(&ended).unwrap());
    assert!(!item.contains_key(attr::DUE_PK) && !item.contains_key(attr::DUE_AT));
    let mut expr = Expression::default();
    assert_eq!(entry.condition(&mut expr).unwrap(), "#version = :v0");
    assert_eq!(expr.values.get(":v0"), Some(&n(3)));
}

#[test]
fn an_agreement_condition_alone_is_a_condition_check() {
    let current = agreement("193743", &cart("cart-1").id);
    let writes = Writes {
        conditions: vec![Condition::AgreementAt {
            id: current.id.clone(),
            version: 3,
        }],
        ..Writes::default()
    };
    let entries = plan(&sweep_commit(writes)).unwrap();
    let [entry] = entries.as_slice() else {
        panic!("one check: {entries:#?}");
    };
    assert!(matches!(entry.action, Action::Check));
    assert!(matches!(entry.clauses.as_slice(), [Clause::Version(3)]));
    assert!(plan(&sweep_commit(Writes::default())).unwrap().is_empty());
}
