//! Secrets that must never be logged and are only ever compared in constant time.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// WorldPay trims whitespace from the callback password, so the configured one is trimmed
    /// too; an empty secret is refused because it would accept every request.
    pub fn new(value: &str) -> Option<Self> {
        let value = value.trim();
        (!value.is_empty()).then(|| Self(value.to_owned()))
    }

    /// Compares digests so that neither the contents nor the length of the secret leaks
    /// through timing.
    pub fn matches(&self, candidate: &str) -> bool {
        let expected = Sha256::digest(self.0.as_bytes());
        let actual = Sha256::digest(candidate.as_bytes());
        expected.ct_eq(&actual).into()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_same_value() {
        let secret = Secret::new(" hunter2 ").unwrap();
        assert!(secret.matches("hunter2"));
        assert!(!secret.matches("hunter3"));
        assert!(!secret.matches(""));
        assert!(!secret.matches("hunter2 "));
    }

    #[test]
    fn refuses_blank_secrets_and_hides_itself() {
        assert!(Secret::new("   ").is_none());
        assert_eq!(format!("{:?}", Secret::new("x").unwrap()), "Secret(***)");
    }
}
