//! The merchant's Opayo vendor name, sent as `Vendor` beside the crypt.

use std::fmt;

use thiserror::Error;

/// Opayo vendor names are at most 15 characters.
const MAX_CHARS: usize = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("an Opayo vendor name is 1 to {MAX_CHARS} letters and digits")]
pub struct VendorError;

/// Checked once at start-up: a wrong vendor name makes every purchase fail at Opayo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorName(String);

impl VendorName {
    pub fn parse(value: &str) -> Result<Self, VendorError> {
        let value = value.trim();
        let valid = (1..=MAX_CHARS).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| Self(value.to_owned())).ok_or(VendorError)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VendorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_short_alphanumeric_names() {
        assert_eq!(
            VendorName::parse(" myshop01 ").unwrap().as_str(),
            "myshop01"
        );
        for bad in ["", "my shop", "my-shop", "sixteencharacter", "café"] {
            assert_eq!(VendorName::parse(bad), Err(VendorError), "{bad:?}");
        }
    }
}
