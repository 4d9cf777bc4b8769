//! The transaction for one commit: each write and each domain condition becomes a clause on
//! the item it concerns, so every item is touched once.

use selectpay_domain::decision::Condition;
use selectpay_domain::ids::FuturePayId;
use selectpay_domain::ports::{Commit, StoreError};

use super::entry::{Action, Clause, Entry, Meaning};
use crate::dynamodb::codec;
use crate::dynamodb::keys::{Item, Key};

#[derive(Default)]
struct Plan(Vec<Entry>);

impl Plan {
    fn add(&mut self, key: Key, action: Action) -> &mut Entry {
        self.0.push(Entry::new(key, action));
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
pub(super) fn plan(commit: &Commit) -> Result<Vec<Entry>, StoreError> {
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
        plan.add_new(
            Key::mail(&mail.id),
            codec::mail_item(mail, writes.mail_lease.as_ref())?,
            meaning,
        );
        if let Some(cart_id) = &mail.cart_id {
            let pointer = codec::pointer_item(cart_id, &mail.id);
            plan.add(Key::mail_pointer(cart_id, &mail.id), Action::Put(pointer));
        }
    }
    for condition in &writes.conditions {
        match condition {
            Condition::OutcomeAbsent(key) => {
                plan.require(Key::outcome(key), Clause::Absent);
                plan.at(Key::outcome(key)).returns_old = true;
            }
            Condition::CartAbsent(cart_id) => plan.require(Key::cart(cart_id), Clause::Absent),
            Condition::CartIs {
                cart_id,
                status,
                amount,
                paid_by,
                sells_plan,
                description,
            } => plan.require(
                Key::cart(cart_id),
                Clause::CartIs {
                    status: *status,
                    amount: *amount,
                    paid_by: paid_by.clone(),
                    sells_plan: *sells_plan,
                    description: description.clone(),
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
