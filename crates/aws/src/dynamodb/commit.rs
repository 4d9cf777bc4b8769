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

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Put, TransactWriteItem, Update,
};
use selectpay_domain::cart::{CartStatus, PaymentStatus};
use selectpay_domain::decision::{CartChange, Condition};
use selectpay_domain::ids::FuturePayId;
use selectpay_domain::ids::TransId;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::money::Money;
use selectpay_domain::ports::{Commit, CommitResult, StoreError};

use super::codec::{self, n, s};
use super::keys::{Item, Key, attr};
use super::{Backoff, DynamoStore, unavailable};

const CONDITIONAL_CHECK_FAILED: &str = "ConditionalCheckFailed";
const TRANSACTION_CONFLICT: &str = "TransactionConflict";

pub async fn commit(store: &DynamoStore, commit: &Commit) -> Result<CommitResult, StoreError> {
    commit.writes.check().map_err(StoreError::invariant)?;
    let entries = plan(commit)?;
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

/// What the failure of an item's condition means, least telling first: a failed domain
/// condition explains everything else that failed with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Meaning {
    MailExists(MailId),
    CartMissing,
    AlreadyExists,
    Condition,
}

#[derive(Debug)]
enum Action {
    Put(Item),
    ChangeCart(CartChange),
    Relabel(PaymentStatus),
    Check,
}

#[derive(Debug)]
enum Clause {
    Absent,
    Exists,
    Version(u64),
    PaymentIs(PaymentStatus),
    CartIs {
        status: CartStatus,
        amount: Money,
        paid_by: Option<TransId>,
        sells_plan: bool,
    },
}

/// One item of the transaction; DynamoDB allows each item once, so every write and
/// condition on the same key is merged into one entry.
#[derive(Debug)]
struct Entry {
    key: Key,
    action: Action,
    clauses: Vec<Clause>,
    meaning: Option<Meaning>,
}

impl Entry {
    fn guard(&mut self, clause: Clause, meaning: Meaning) {
        self.clauses.push(clause);
        self.meaning = self.meaning.take().max(Some(meaning));
    }

    fn to_transact_item(&self, table: &str) -> Result<TransactWriteItem, StoreError> {
        let mut expr = Expression::default();
        let condition = self.condition(&mut expr);
        let built = match &self.action {
            Action::Put(item) => Put::builder()
                .table_name(table)
                .set_item(Some(item.clone()))
                .set_condition_expression(condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .build()
                .map(|put| TransactWriteItem::builder().put(put).build()),
            Action::ChangeCart(change) => {
                let update = expr.cart_update(change);
                Update::builder()
                    .table_name(table)
                    .set_key(Some(self.key.item()))
                    .update_expression(update)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .map(|update| TransactWriteItem::builder().update(update).build())
            }
            Action::Relabel(to) => {
                let update = format!(
                    "SET {} = {}",
                    expr.name(attr::STATUS),
                    expr.value(s(to.label()))
                );
                Update::builder()
                    .table_name(table)
                    .set_key(Some(self.key.item()))
                    .update_expression(update)
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .map(|update| TransactWriteItem::builder().update(update).build())
            }
            Action::Check => ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(self.key.item()))
                .set_condition_expression(condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .build()
                .map(|check| TransactWriteItem::builder().condition_check(check).build()),
        };
        built.map_err(StoreError::invariant)
    }

    fn condition(&self, expr: &mut Expression) -> Option<String> {
        let clauses: Vec<String> = self.clauses.iter().map(|c| expr.clause(c)).collect();
        (!clauses.is_empty()).then(|| clauses.join(" AND "))
    }
}

/// Placeholders for one item's expressions: every attribute goes through a name
/// placeholder, since words like `status` are reserved in DynamoDB.
#[derive(Default)]
struct Expression {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn clause(&mut self, clause: &Clause) -> String {
        match clause {
            Clause::Absent => format!("attribute_not_exists({})", self.name(attr::PK)),
            Clause::Exists => format!("attribute_exists({})", self.name(attr::PK)),
            Clause::Version(version) => {
                format!("{} = {}", self.name(attr::VERSION), self.value(n(version)))
            }
            // Also proves the payment exists: an update must not create one.
            Clause::PaymentIs(status) => format!(
                "{} = {}",
                self.name(attr::STATUS),
                self.value(s(status.label()))
            ),
            Clause::CartIs {
                status,
                amount,
                paid_by,
                sells_plan,
            } => {
                let mut parts = vec![
                    format!(
                        "{} = {}",
                        self.name(attr::STATUS),
                        self.value(s(status.as_str()))
                    ),
                    format!(
                        "{} = {}",
                        self.name(attr::AMOUNT_MINOR),
                        self.value(n(amount.minor_units()))
                    ),
                    format!(
                        "{} = {}",
                        self.name(attr::CURRENCY),
                        self.value(s(amount.currency().code()))
                    ),
                ];
                parts.push(match paid_by {
                    Some(trans) => {
                        format!(
                            "{} = {}",
                            self.name(attr::PAID_BY),
                            self.value(s(trans.as_str()))
                        )
                    }
                    None => format!("attribute_not_exists({})", self.name(attr::PAID_BY)),
                });
                let plan = self.name(attr::FUTURE_PAY);
                parts.push(if *sells_plan {
                    format!("attribute_exists({plan})")
                } else {
                    format!("attribute_not_exists({plan})")
                });
                format!("({})", parts.join(" AND "))
            }
        }
    }

    fn cart_update(&mut self, change: &CartChange) -> String {
        let status = format!(
            "SET {} = {}",
            self.name(attr::STATUS),
            self.value(s(change.status.as_str()))
        );
        match &change.paid_by {
            Some(trans) => format!(
                "{status}, {} = {}",
                self.name(attr::PAID_BY),
                self.value(s(trans.as_str()))
            ),
            None => format!("{status} REMOVE {}", self.name(attr::PAID_BY)),
        }
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

#[derive(Default)]
struct Plan(Vec<Entry>);

impl Plan {
    fn add(&mut self, key: Key, action: Action) -> &mut Entry {
        self.0.push(Entry {
            key,
            action,
            clauses: Vec::new(),
            meaning: None,
        });
        self.0.last_mut().expect("just pushed")
    }

    fn add_new(&mut self, key: Key, item: Item, meaning: Meaning) {
        self.add(key, Action::Put(item))
            .guard(Clause::Absent, meaning);
    }

    /// The entry for `key`, a bare condition check if nothing else touches the item.
    fn at(&mut self, key: Key) -> &mut Entry {
        match self.0.iter().position(|entry| entry.key == key) {
            Some(index) => &mut self.0[index],
            None => self.add(key, Action::Check),
        }
    }

    fn require(&mut self, key: Key, clause: Clause) {
        let entry = self.at(key);
        // A new item's put is already guarded by `attribute_not_exists`; only what it
        // means changes.
        let already_guarded = matches!(clause, Clause::Absent)
            && entry.clauses.iter().any(|c| matches!(c, Clause::Absent));
        if already_guarded {
            entry.meaning = Some(Meaning::Condition);
        } else {
            entry.guard(clause, Meaning::Condition);
        }
    }
}

/// The transaction for `commit`, whose writes passed `Writes::check` (no mail twice).
fn plan(commit: &Commit) -> Result<Vec<Entry>, StoreError> {
    let writes = &commit.writes;
    let mut plan = Plan::default();
    if let Some(saved) = &writes.saved_outcome {
        let item = codec::outcome_item(saved);
        plan.add_new(Key::outcome(&saved.key), item, Meaning::AlreadyExists);
    }
    if let Some(payment) = &writes.payment {
        let item = codec::payment_item(payment)?;
        plan.add_new(Key::payment(payment), item, Meaning::AlreadyExists);
    }
    if let Some(change) = &writes.cart_change {
        // Without the guard an update would create a cart out of nothing.
        plan.add(
            Key::cart(&change.cart_id),
            Action::ChangeCart(change.clone()),
        )
        .guard(Clause::Exists, Meaning::CartMissing);
    }
    if let Some(agreement) = &writes.agreement {
        let item = codec::agreement_item(agreement)?;
        plan.add(Key::agreement(&agreement.id), Action::Put(item));
        if !proves_existing(&writes.conditions, &agreement.id) {
            let pointer = codec::agreement_pointer_item(&agreement.cart_id, &agreement.id);
            plan.add(
                Key::agreement_pointer(&agreement.cart_id, &agreement.id),
                Action::Put(pointer),
            );
        }
    }
    for relabel in &writes.relabels {
        plan.add(
            Key::cart_payment(&relabel.cart_id, &relabel.trans_id),
            Action::Relabel(relabel.to),
        )
        .guard(Clause::PaymentIs(relabel.from), Meaning::Condition);
    }
    if let Some(cart_id) = &writes.shopper_returned {
        // Out of the awaiting-shopper index (see `awaiting.rs`).
        let item = codec::returned_item(cart_id);
        plan.add(Key::awaiting(cart_id), Action::Put(item));
    }
    if let Some(delivery) = &commit.delivery {
        let item = codec::delivery_item(delivery)?;
        plan.add_new(Key::delivery(delivery)?, item, Meaning::AlreadyExists);
    }
    for mail in &writes.mails {
        let meaning = Meaning::MailExists(mail.id.clone());
        plan.add_new(Key::mail(&mail.id), codec::mail_item(mail)?, meaning);
        if let Some(cart_id) = &mail.cart_id {
            let pointer = codec::pointer_item(cart_id, &mail.id);
            plan.add(Key::mail_pointer(cart_id, &mail.id), Action::Put(pointer));
        }
    }
    for condition in &writes.conditions {
        match condition {
            Condition::OutcomeAbsent(key) => plan.require(Key::outcome(key), Clause::Absent),
            Condition::CartAbsent(cart_id) => plan.require(Key::cart(cart_id), Clause::Absent),
            Condition::CartIs {
                cart_id,
                status,
                amount,
                paid_by,
                sells_plan,
            } => plan.require(
                Key::cart(cart_id),
                Clause::CartIs {
                    status: *status,
                    amount: *amount,
                    paid_by: paid_by.clone(),
                    sells_plan: *sells_plan,
                },
            ),
            Condition::MailAbsent(mail_id) => plan.require(Key::mail(mail_id), Clause::Absent),
            Condition::AgreementAbsent(id) => plan.require(Key::agreement(id), Clause::Absent),
            Condition::AgreementAt { id, version } => {
                plan.require(Key::agreement(id), Clause::Version(*version))
            }
        }
    }
    Ok(plan.0)
}

/// Whether `conditions` hold only if agreement `id` exists: then so does its pointer, which
/// was written with it.
fn proves_existing(conditions: &[Condition], id: &FuturePayId) -> bool {
    conditions
        .iter()
        .any(|c| matches!(c, Condition::AgreementAt { id: at, .. } if at == id))
}

enum Verdict {
    ConditionFailed,
    Conflict,
}

/// Why DynamoDB cancelled the transaction; the reasons are in the order of the items.
fn judge(entries: &[Entry], reasons: &[CancellationReason]) -> Result<Verdict, StoreError> {
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use selectpay_domain::futurepay::AgreementStatus;
    use selectpay_domain::store::Writes;
    use selectpay_store_conformance::fixtures::{
        agreement, agreement_change, agreement_created, at, cart, delivery, happy_path, mail,
        mail_id, sweep_commit, trans_id,
    };

    use super::*;

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
}
