//! Identifiers that arrive from outside, parsed once so the rest of the code can trust them.

use std::fmt;

use thiserror::Error;

use crate::text::{TextError, one_line};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("must be digits")]
    NotDigits,
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            const MAX_LEN: usize = $max;

            pub fn parse(value: &str) -> Result<Self, IdError> {
                Ok(Self(one_line(value, Self::MAX_LEN)?))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// WorldPay's `cartId`: ours are random, but a callback may name any cart.
    CartId,
    255
);
text_id!(
    /// WorldPay's `transId` for one authorisation.
    TransId,
    64
);
text_id!(
    /// WorldPay's `futurePayId` of a recurring agreement.
    FuturePayId,
    64
);

impl CartId {
    /// A new cart id from 128 random bits: unguessable and URL-safe.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(hex::encode(bytes))
    }
}

/// A WorldPay installation id (`instId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstallationId(String);

impl InstallationId {
    pub fn parse(value: &str) -> Result<Self, IdError> {
        let value = one_line(value.trim(), 16)?;
        if value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err(IdError::NotDigits)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstallationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_ids_are_bounded_and_printable() {
        assert!(CartId::parse("Test Item").is_ok());
        assert_eq!(CartId::parse(""), Err(IdError::Text(TextError::Missing)));
        assert_eq!(
            CartId::parse(&"x".repeat(256)),
            Err(IdError::Text(TextError::TooLong(255)))
        );
        assert_eq!(
            CartId::parse("a\r\nb"),
            Err(IdError::Text(TextError::ControlCharacters))
        );
    }

    #[test]
    fn random_cart_ids_are_url_safe() {
        let id = CartId::from_random([0xab; 16]);
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn installation_ids_are_digits() {
        assert_eq!(InstallationId::parse("38290").unwrap().as_str(), "38290");
        assert_eq!(InstallationId::parse("38a90"), Err(IdError::NotDigits));
    }
}
