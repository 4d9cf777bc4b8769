//! Opayo Form's `Crypt`: `@` followed by the uppercase hex of AES-128-CBC with PKCS#7
//! padding, the encryption password serving as both key and IV.

use aes::Aes128;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use thiserror::Error;

use super::password::EncryptionPassword;

/// Opayo's return crypts are a few hundred characters and a full purchase request stays
/// under 12 KiB of hex; anything longer did not come from Opayo.
pub const MAX_CRYPT_CHARS: usize = 16 * 1024;

const PREFIX: char = '@';
const BLOCK_BYTES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CryptError {
    #[error("crypt is longer than {MAX_CRYPT_CHARS} characters")]
    TooLong,
    #[error("crypt does not start with `@`")]
    MissingPrefix,
    #[error("crypt is not hexadecimal")]
    NotHex,
    #[error("crypt is not a whole number of AES blocks")]
    NotWholeBlocks,
    /// What a wrong encryption password or a tampered crypt almost always produces.
    #[error("crypt does not decrypt with our encryption password (bad padding)")]
    BadPadding,
}

/// Encrypts the plain `name=value&…` bytes of a purchase request.
pub fn encrypt(plain: &[u8], password: &EncryptionPassword) -> String {
    let key = password.key();
    let cipher = cbc::Encryptor::<Aes128>::new(key.into(), key.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    format!("{PREFIX}{}", hex::encode_upper(cipher))
}

/// Decrypts a crypt back to its plain bytes. Lowercase hex is accepted: case carries no
/// meaning, and being strict about it would only turn a proxy's rewrite into a lost payment.
pub fn decrypt(crypt: &str, password: &EncryptionPassword) -> Result<Vec<u8>, CryptError> {
    if crypt.len() > MAX_CRYPT_CHARS {
        return Err(CryptError::TooLong);
    }
    let hex_text = crypt
        .strip_prefix(PREFIX)
        .ok_or(CryptError::MissingPrefix)?;
    let cipher = hex::decode(hex_text).map_err(|_| CryptError::NotHex)?;
    if cipher.is_empty() || cipher.len() % BLOCK_BYTES != 0 {
        return Err(CryptError::NotWholeBlocks);
    }
    let key = password.key();
    cbc::Decryptor::<Aes128>::new(key.into(), key.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&cipher)
        .map_err(|_| CryptError::BadPadding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password() -> EncryptionPassword {
        EncryptionPassword::new("0123456789abcdef").unwrap()
    }

    #[test]
    fn encrypts_to_known_ciphertext() {
        // AES-128-CBC, key = IV = "0123456789abcdef", of "Status=OK" padded with 7 × 0x07,
        // computed independently with `openssl enc -aes-128-cbc -K … -iv …`.
        assert_eq!(
            encrypt(b"Status=OK", &password()),
            "@2182B84E759C68BE645D80E52E14BDBF"
        );
    }

    #[test]
    fn round_trips_including_empty_and_whole_block_inputs() {
        for plain in [
            &b""[..],
            b"0123456789abcdef",
            b"VendorTxCode=abc&Amount=1,234.56",
        ] {
            let crypt = encrypt(plain, &password());
            assert!(crypt.starts_with('@'));
            assert_eq!(crypt[1..], crypt[1..].to_uppercase());
            // PKCS#7 always pads, so a whole block of input gains a whole block of padding.
            assert_eq!(
                (crypt.len() - 1) / 2,
                (plain.len() / BLOCK_BYTES + 1) * BLOCK_BYTES
            );
            assert_eq!(decrypt(&crypt, &password()).unwrap(), plain);
            assert_eq!(decrypt(&crypt.to_lowercase(), &password()).unwrap(), plain);
        }
    }

    #[test]
    fn refuses_what_is_not_a_crypt() {
        let crypt = encrypt(b"Status=OK", &password());
        assert_eq!(
            decrypt(&crypt[1..], &password()),
            Err(CryptError::MissingPrefix)
        );
        assert_eq!(decrypt("@ZZ", &password()), Err(CryptError::NotHex));
        assert_eq!(decrypt("@ABC", &password()), Err(CryptError::NotHex));
        assert_eq!(decrypt("@", &password()), Err(CryptError::NotWholeBlocks));
        assert_eq!(
            decrypt("@00112233", &password()),
            Err(CryptError::NotWholeBlocks)
        );
        let too_long = format!("@{}", "0".repeat(MAX_CRYPT_CHARS));
        assert_eq!(decrypt(&too_long, &password()), Err(CryptError::TooLong));
    }

    #[test]
    fn a_wrong_password_or_a_tampered_crypt_fails_the_padding_check() {
        let crypt = encrypt(b"Status=OK&VPSTxId={ABC}", &password());
        let other = EncryptionPassword::new("fedcba9876543210").unwrap();
        assert_eq!(decrypt(&crypt, &other), Err(CryptError::BadPadding));
        // In CBC the first block's last byte is XORed into the second block's last plain
        // byte, the padding length: 23 bytes of input end in nine 0x09, and 0x09 ^ 0x02 is
        // 0x0B, which the nine do not confirm.
        let last_of_first_block = 2 * BLOCK_BYTES;
        let nibble =
            u8::from_str_radix(&crypt[last_of_first_block..=last_of_first_block], 16).unwrap();
        let tampered = format!(
            "{}{:X}{}",
            &crypt[..last_of_first_block],
            nibble ^ 0x2,
            &crypt[last_of_first_block + 1..]
        );
        assert_eq!(decrypt(&tampered, &password()), Err(CryptError::BadPadding));
    }
}
