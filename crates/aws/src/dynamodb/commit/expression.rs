//! The condition and update expressions of one transaction item, with their placeholders.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::cart::PaymentStatus;
use selectpay_domain::decision::CartChange;

use super::entry::Clause;
use crate::dynamodb::codec::{n, s};
use crate::dynamodb::keys::attr;

/// Placeholders for one item's expressions: every attribute goes through a name
/// placeholder, since words like `status` are reserved in DynamoDB.
#[derive(Default)]
pub(super) struct Expression {
    names: HashMap<String, String>,
    pub(super) values: HashMap<String, AttributeValue>,
}

impl Expression {
    pub(super) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{attribute}");
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub(super) fn clause(&mut self, clause: &Clause) -> String {
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
                description,
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
                parts.push(format!(
                    "{} = {}",
                    self.name(attr::DESCRIPTION),
                    self.value(s(description))
                ));
                format!("({})", parts.join(" AND "))
            }
        }
    }

    pub(super) fn cart_update(&mut self, change: &CartChange) -> String {
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

    /// Sets the payment's status to `to`.
    pub(super) fn relabel(&mut self, to: PaymentStatus) -> String {
        format!(
            "SET {} = {}",
            self.name(attr::STATUS),
            self.value(s(to.label()))
        )
    }

    pub(super) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub(super) fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}
