//! Mail addresses that are safe to put in a header.

use std::fmt;

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain` only: no display names, no lists, no whitespace or control
    /// characters, so a shopper-entered value can never add a header or a recipient.
    pub fn parse(value: &str) -> Result<Self, InvalidEmail> {
        let value = value.trim();
        let forbidden =
            |c: char| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c);
        match value.split_once('@') {
            Some((local, domain))
                if value.len() <= 254
                    && !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !value.contains(forbidden) =>
            {
                Ok(Self(value.to_owned()))
            }
            _ => Err(InvalidEmail),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_addresses() {
        assert!(EmailAddress::parse("demo@uk.worldpay.com").is_ok());
    }

    #[test]
    fn rejects_header_injection_and_lists() {
        for bad in [
            "a@b.com\r\nBcc: x@y.com",
            "a@b.com, c@d.com",
            "Name <a@b.com>",
            "no-at-sign",
            "@b.com",
            "a@b",
            "a@@b.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
