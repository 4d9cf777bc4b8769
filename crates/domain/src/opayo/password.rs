//! The vendor's Form encryption password: both the AES-128 key and the IV of every crypt.

use std::fmt;

use thiserror::Error;

/// AES-128 takes a 16-byte key, and Opayo issues 16-character passwords to match.
pub const PASSWORD_BYTES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// The length found is not reported: even that narrows down a secret.
    #[error("the Opayo encryption password must be exactly {PASSWORD_BYTES} bytes")]
    WrongLength,
}

/// Can only hold a usable key, so a misconfigured deployment fails when it starts rather than
/// on the first shopper's return.
#[derive(Clone)]
pub struct EncryptionPassword([u8; PASSWORD_BYTES]);

impl EncryptionPassword {
    /// Trimmed like the other secrets, because values pasted into SSM or an env file often
    /// carry a trailing newline that is never part of the password.
    pub fn new(value: &str) -> Result<Self, PasswordError> {
        value
            .trim()
            .as_bytes()
            .try_into()
            .map(Self)
            .map_err(|_| PasswordError::WrongLength)
    }

    pub(super) fn key(&self) -> &[u8; PASSWORD_BYTES] {
        &self.0
    }
}

/// Prints nothing derived from the password (not even its length), so a Debug-logged
/// configuration cannot leak it.
impl fmt::Debug for EncryptionPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_sixteen_bytes_after_trimming() {
        let password = EncryptionPassword::new(" 0123456789abcdef\n").unwrap();
        assert_eq!(password.key(), b"0123456789abcdef");
    }

    #[test]
    fn refuses_any_other_length() {
        for bad in [
            "",
            "0123456789abcde",
            "0123456789abcdef0",
            "ééééééééééééééé",
        ] {
            assert_eq!(
                EncryptionPassword::new(bad).unwrap_err(),
                PasswordError::WrongLength,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = EncryptionPassword::new("0123456789abcdef").unwrap();
        assert_eq!(format!("{password:?}"), "EncryptionPassword(***)");
    }
}
