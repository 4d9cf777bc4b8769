//! One item of the transaction: what it writes (a put, an update of a cart or a payment's
//! status, or only a check), the clauses of its condition, and what their failure means.

use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use selectpay_domain::cart::{CartStatus, PaymentStatus};
use selectpay_domain::decision::CartChange;
use selectpay_domain::ids::TransId;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::money::Money;
use selectpay_domain::ports::StoreError;

use super::expression::Expression;
use crate::dynamodb::keys::{Item, Key};

/// What the failure of an item's condition means, least telling first: a failed domain
/// condition explains everything else that failed with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Meaning {
    MailExists(MailId),
    CartMissing,
    AlreadyExists,
    Condition,
}

#[derive(Debug)]
pub(super) enum Action {
    Put(Item),
    ChangeCart(CartChange),
    Relabel(PaymentStatus),
    Check,
}

#[derive(Debug)]
pub(super) enum Clause {
    Absent,
    Exists,
    Version(u64),
    PaymentIs(PaymentStatus),
    CartIs {
        status: CartStatus,
        amount: Money,
        paid_by: Option<TransId>,
        sells_plan: bool,
        description: String,
    },
}

/// One item of the transaction; DynamoDB allows each item once, so every write and
/// condition on the same key is merged into one entry.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: Key,
    pub(super) action: Action,
    pub(super) clauses: Vec<Clause>,
    pub(super) meaning: Option<Meaning>,
    /// Whether a failed condition hands back the item as it is (`ALL_OLD`): the saved
    /// outcome's entry, so a repeat's refusal carries its saved page.
    pub(super) returns_old: bool,
}

impl Entry {
    pub(super) fn new(key: Key, action: Action) -> Self {
        Entry {
            key,
            action,
            clauses: Vec::new(),
            meaning: None,
            returns_old: false,
        }
    }

    pub(super) fn guard(&mut self, clause: Clause, meaning: Meaning) {
        self.clauses.push(clause);
        self.meaning = self.meaning.take().max(Some(meaning));
    }

    pub(super) fn to_transact_item(&self, table: &str) -> Result<TransactWriteItem, StoreError> {
        let mut expr = Expression::default();
        let condition = self.condition(&mut expr);
        let built = match &self.action {
            Action::Put(item) => Put::builder()
                .table_name(table)
                .set_item(Some(item.clone()))
                .set_return_values_on_condition_check_failure(self.old_on_failure())
                .set_condition_expression(condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .build()
                .map(|put| TransactWriteItem::builder().put(put).build()),
            Action::ChangeCart(change) => {
                let update = expr.cart_update(change);
                self.update(table, update, condition, &expr)
            }
            Action::Relabel(to) => {
                let update = expr.relabel(*to);
                self.update(table, update, condition, &expr)
            }
            Action::Check => ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(self.key.item()))
                .set_return_values_on_condition_check_failure(self.old_on_failure())
                .set_condition_expression(condition)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .build()
                .map(|check| TransactWriteItem::builder().condition_check(check).build()),
        };
        built.map_err(StoreError::invariant)
    }

    /// An `Update` of this entry's item by `update_expression`, under `condition`.
    fn update(
        &self,
        table: &str,
        update_expression: String,
        condition: Option<String>,
        expr: &Expression,
    ) -> Result<TransactWriteItem, BuildError> {
        Update::builder()
            .table_name(table)
            .set_key(Some(self.key.item()))
            .update_expression(update_expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map(|update| TransactWriteItem::builder().update(update).build())
    }

    pub(super) fn old_on_failure(&self) -> Option<ReturnValuesOnConditionCheckFailure> {
        self.returns_old
            .then_some(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    pub(super) fn condition(&self, expr: &mut Expression) -> Option<String> {
        let clauses: Vec<String> = self.clauses.iter().map(|c| expr.clause(c)).collect();
        (!clauses.is_empty()).then(|| clauses.join(" AND "))
    }
}
