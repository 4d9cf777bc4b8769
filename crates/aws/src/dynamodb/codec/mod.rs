//! Domain values to DynamoDB items and back, one file per entity with each `*_item` beside
//! its reader. Every value read back goes through the domain's own parsers (the plan
//! through its checked `Deserialize`): an item that does not decode is `Corrupt`, never a
//! panic or a silently odd value.

mod agreement;
mod awaiting;
mod cart;
mod claim;
mod delivery;
mod mail;
mod outcome;
mod payment;

pub use agreement::{agreement, agreement_id, agreement_item, agreement_pointer_item};
pub use awaiting::{awaiting_cart, awaiting_item, returned_item};
pub use cart::{cart, cart_item, cart_state};
pub use claim::{claim_item, claimed_payment};
pub use delivery::{delivery, delivery_item};
pub use mail::{mail_id, mail_item, pointer_item, queued_mail, stored_mail};
pub use outcome::{outcome_item, saved_outcome};
pub use payment::{payment, payment_item};

use std::fmt::Display;

use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::store::{StoreError, time_text};
use time::OffsetDateTime;

use super::keys::*;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn time(at: OffsetDateTime) -> Result<AttributeValue, StoreError> {
    time_text::encode(at).map(AttributeValue::S)
}

fn insert_optional(item: &mut Item, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        item.insert(name.to_owned(), s(value));
    }
}

/// Typed access to one item's attributes; every failure names the item and attribute.
struct Fields<'a>(&'a Item);

impl<'a> Fields<'a> {
    fn corrupt(&self, name: &str, detail: impl Display) -> StoreError {
        let key = |name| self.0.get(name).and_then(|v| v.as_s().ok());
        StoreError::corrupt(format!(
            "item {:?}/{:?}: {name}: {detail}",
            key(attr::PK).map_or("?", String::as_str),
            key(attr::SK).map_or("?", String::as_str),
        ))
    }

    fn optional(&self, name: &str) -> Option<&'a AttributeValue> {
        self.0.get(name)
    }

    fn required(&self, name: &str) -> Result<&'a AttributeValue, StoreError> {
        self.optional(name)
            .ok_or_else(|| self.corrupt(name, "missing"))
    }

    fn text_of(&self, name: &str, value: &'a AttributeValue) -> Result<&'a str, StoreError> {
        value
            .as_s()
            .map(String::as_str)
            .map_err(|_| self.corrupt(name, "not a string"))
    }

    fn text(&self, name: &str) -> Result<&'a str, StoreError> {
        self.text_of(name, self.required(name)?)
    }

    fn optional_text(&self, name: &str) -> Result<Option<&'a str>, StoreError> {
        self.optional(name)
            .map(|value| self.text_of(name, value))
            .transpose()
    }

    fn owned(&self, name: &str) -> Result<String, StoreError> {
        self.text(name).map(str::to_owned)
    }

    fn optional_owned(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.optional_text(name)?.map(str::to_owned))
    }

    fn number<T: std::str::FromStr<Err: Display>>(&self, name: &str) -> Result<T, StoreError> {
        let text = self
            .required(name)?
            .as_n()
            .map_err(|_| self.corrupt(name, "not a number"))?;
        text.parse().map_err(|e| self.corrupt(name, e))
    }

    fn boolean(&self, name: &str) -> Result<bool, StoreError> {
        self.required(name)?
            .as_bool()
            .copied()
            .map_err(|_| self.corrupt(name, "not a boolean"))
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        self.required(name)?
            .as_b()
            .map(|blob| blob.as_ref().to_vec())
            .map_err(|_| self.corrupt(name, "not binary"))
    }

    fn parse_time(&self, name: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
        time_text::decode(text).map_err(|e| self.corrupt(name, format_args!("{text:?}: {e}")))
    }

    fn time(&self, name: &str) -> Result<OffsetDateTime, StoreError> {
        self.parse_time(name, self.text(name)?)
    }

    fn optional_time(&self, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        self.optional_text(name)?
            .map(|text| self.parse_time(name, text))
            .transpose()
    }

    fn cart_id(&self, name: &str) -> Result<CartId, StoreError> {
        CartId::parse(self.text(name)?).map_err(|e| self.corrupt(name, e))
    }

    fn future_pay_id(&self) -> Result<FuturePayId, StoreError> {
        let name = attr::FUTURE_PAY_ID;
        FuturePayId::parse(self.text(name)?).map_err(|e| self.corrupt(name, e))
    }

    fn trans_id(&self, name: &str, text: &str) -> Result<TransId, StoreError> {
        TransId::parse(text).map_err(|e| self.corrupt(name, e))
    }
}
