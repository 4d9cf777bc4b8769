//! Opayo's `VPSTxId`: its id for one transaction, the key a result is recorded under.

use std::fmt;

/// Opayo writes a braced GUID (`{7C8E1B0A-…}`, 38 characters); the limit leaves room for a
/// format change without letting arbitrary text become a store key.
const MAX_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VpsTxId(String);

impl VpsTxId {
    /// Visible ASCII only: the id ends up in store keys and log lines.
    pub fn parse(value: &str) -> Option<Self> {
        let fits = !value.is_empty() && value.len() <= MAX_CHARS;
        (fits && value.bytes().all(|b| b.is_ascii_graphic())).then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VpsTxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_opayo_guids_and_refuses_blank_long_or_spaced_text() {
        let guid = "{7C8E1B0A-3F6D-4B9E-A1C2-0D5E6F708192}";
        assert_eq!(VpsTxId::parse(guid).unwrap().as_str(), guid);
        for bad in [
            "",
            "has space",
            "tab\there",
            "é",
            &"A".repeat(MAX_CHARS + 1),
        ] {
            assert_eq!(VpsTxId::parse(bad), None, "{bad:?}");
        }
    }
}
