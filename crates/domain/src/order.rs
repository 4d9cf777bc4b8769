//! What the storefront asks us to charge for, validated field by field.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::futurepay::FuturePayPlan;
use crate::money::Money;
use crate::text::{TextError, one_line};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Shopper {
    pub name: Option<String>,
    pub email: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
    pub tel: Option<String>,
}

impl Shopper {
    /// The token field name and value of each given shopper field.
    pub fn token_fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("name", &self.name),
            ("email", &self.email),
            ("address1", &self.address1),
            ("address2", &self.address2),
            ("address3", &self.address3),
            ("town", &self.town),
            ("postcode", &self.postcode),
            ("country", &self.country),
            ("tel", &self.tel),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CustomFieldError {
    #[error("custom field names start with M_, MC_, CM_ or C_ followed by letters, digits or _")]
    Name,
    #[error("custom field value {0}")]
    Value(TextError),
}

/// A merchant field echoed by WorldPay: `M_` to the callback only, `MC_`/`CM_` to the
/// callback and result pages, `C_` to result pages only.
/// Read back from storage through [`CustomField::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredCustomField")]
pub struct CustomField {
    name: String,
    value: String,
}

/// A custom field as serialised, before its checks.
#[derive(Deserialize)]
struct StoredCustomField {
    name: String,
    value: String,
}

impl TryFrom<StoredCustomField> for CustomField {
    type Error = CustomFieldError;

    fn try_from(stored: StoredCustomField) -> Result<Self, CustomFieldError> {
        Self::parse(&stored.name, &stored.value)
    }
}

impl CustomField {
    const MAX_VALUE_LEN: usize = 255;

    pub fn parse(name: &str, value: &str) -> Result<Self, CustomFieldError> {
        let rest = ["MC_", "CM_", "M_", "C_"]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .ok_or(CustomFieldError::Name)?;
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(CustomFieldError::Name);
        }
        let value = one_line(value.trim(), Self::MAX_VALUE_LEN).map_err(CustomFieldError::Value)?;
        Ok(Self {
            name: name.to_owned(),
            value,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Charged at once; may be zero when a FuturePay agreement is all there is.
    pub amount: Money,
    pub description: String,
    pub shopper: Shopper,
    pub custom_fields: Vec<CustomField>,
    pub future_pay: Option<FuturePayPlan>,
}

impl Order {
    pub const MAX_DESCRIPTION_LEN: usize = 255;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_fields_need_a_known_prefix() {
        assert!(CustomField::parse("MC_orderRef", "A-1").is_ok());
        assert!(CustomField::parse("M_var1", "fred").is_ok());
        assert!(CustomField::parse("C_return", "welcome back").is_ok());
        assert_eq!(CustomField::parse("M_ref", " A-1 ").unwrap().value(), "A-1");
        assert_eq!(
            CustomField::parse("orderRef", "x"),
            Err(CustomFieldError::Name)
        );
        assert_eq!(CustomField::parse("MC_", "x"), Err(CustomFieldError::Name));
        assert_eq!(
            CustomField::parse("MC_a-b", "x"),
            Err(CustomFieldError::Name)
        );
    }

    #[test]
    fn a_stored_custom_field_is_checked_as_a_new_one() {
        let field = CustomField::parse("MC_orderRef", "A-1").unwrap();
        let json = serde_json::to_string(&field).unwrap();
        assert_eq!(serde_json::from_str::<CustomField>(&json).unwrap(), field);
        for stored in [
            r#"{"name":"orderRef","value":"A-1"}"#,
            r#"{"name":"MC_orderRef","value":"A\r\n1"}"#,
            r#"{"name":"MC_orderRef","value":""}"#,
        ] {
            assert!(
                serde_json::from_str::<CustomField>(stored).is_err(),
                "{stored}"
            );
        }
    }
}
