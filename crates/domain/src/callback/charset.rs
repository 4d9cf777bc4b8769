//! Which charsets a callback may declare.
//!
//! A form body is split on the ASCII bytes `&`, `=`, `+` and `%` before its text is decoded,
//! and the password is redacted from the raw bytes the same way. That is only sound when
//! every ASCII byte means its ASCII character: in UTF-16, ISO-2022-JP or WHATWG's
//! `replacement` encoding the same bytes mean something else, so a shopper who can choose
//! the charset (it is echoed from the purchase form) could smuggle fields past the split,
//! or keep `callbackPW` out of sight of the redaction. Such charsets are refused.

use encoding_rs::Encoding;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CharsetError {
    #[error("unknown charset `{0}`")]
    Unknown(String),
    #[error("charset `{0}` is not ASCII-compatible")]
    NotAsciiCompatible(&'static str),
}

/// Whether every byte 0x00–0x7F decodes to the same ASCII character and no other byte
/// sequence does, which is what byte-wise form splitting needs.
pub fn is_ascii_compatible(encoding: &'static Encoding) -> bool {
    encoding.is_ascii_compatible()
}

/// Resolves a charset label (WHATWG labels, case-insensitive, surrounding whitespace ignored)
/// to an encoding a form body may be decoded with. Unknown labels are echoed back shortened
/// so a hostile label cannot flood a log line.
pub fn form_encoding(label: &str) -> Result<&'static Encoding, CharsetError> {
    let encoding = Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| CharsetError::Unknown(label.chars().take(40).collect()))?;
    if is_ascii_compatible(encoding) {
        Ok(encoding)
    } else {
        Err(CharsetError::NotAsciiCompatible(encoding.name()))
    }
}

#[cfg(test)]
mod tests {
    use encoding_rs::{
        EUC_JP, GB18030, ISO_2022_JP, REPLACEMENT, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
        WINDOWS_1252, X_USER_DEFINED,
    };

    use super::*;

    #[test]
    fn the_charsets_worldpay_sends_are_accepted() {
        assert_eq!(form_encoding("ISO-8859-1"), Ok(WINDOWS_1252));
        assert_eq!(form_encoding(" utf-8 "), Ok(UTF_8));
        assert_eq!(form_encoding("Windows-1252"), Ok(WINDOWS_1252));
    }

    #[test]
    fn multibyte_charsets_whose_ascii_bytes_stay_ascii_are_accepted() {
        for encoding in [SHIFT_JIS, EUC_JP, GB18030, X_USER_DEFINED] {
            assert!(is_ascii_compatible(encoding), "{}", encoding.name());
        }
    }

    #[test]
    fn utf16_iso2022jp_and_replacement_are_refused() {
        for encoding in [UTF_16LE, UTF_16BE, ISO_2022_JP, REPLACEMENT] {
            assert!(!is_ascii_compatible(encoding), "{}", encoding.name());
        }
        assert_eq!(
            form_encoding("utf-16"),
            Err(CharsetError::NotAsciiCompatible("UTF-16LE"))
        );
        assert_eq!(
            form_encoding("csISO2022JP"),
            Err(CharsetError::NotAsciiCompatible("ISO-2022-JP"))
        );
        // WHATWG maps these labels to `replacement`, which decodes any input to U+FFFD.
        assert_eq!(
            form_encoding("iso-2022-kr"),
            Err(CharsetError::NotAsciiCompatible("replacement"))
        );
    }

    #[test]
    fn unknown_labels_are_refused_and_shortened() {
        assert_eq!(
            form_encoding("klingon"),
            Err(CharsetError::Unknown("klingon".into()))
        );
        let long = "x".repeat(500);
        assert_eq!(
            form_encoding(&long),
            Err(CharsetError::Unknown("x".repeat(40)))
        );
    }

    /// Why the rule exists: in UTF-16 the password field's name is not the ASCII bytes
    /// `callbackPW`, so byte-wise redaction could not see it.
    #[test]
    fn utf16_hides_field_names_from_byte_wise_splitting() {
        let bytes: Vec<u8> = "callbackPW=secret"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(!bytes.windows(10).any(|w| w == b"callbackPW"));
        let (decoded, _) = UTF_16LE.decode_without_bom_handling(&bytes);
        assert_eq!(decoded, "callbackPW=secret");
    }
}
