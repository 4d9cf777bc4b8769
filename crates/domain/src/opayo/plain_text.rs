//! The text inside a crypt: `Name=value` pairs joined by `&`, in ISO-8859-1.
//!
//! Values are written as they are: Opayo reads them verbatim (its own integration kits never
//! percent-encode), so form_urlencoded would show shoppers `+` and `%40` in their names. That
//! makes `&` the one character a value cannot hold. ISO-8859-1 because Opayo Form documents
//! its fields in it: an accented name sent as UTF-8 would reach the receipt garbled.

use std::borrow::Cow;

use encoding_rs::WINDOWS_1252;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldProblem {
    #[error("is required")]
    Missing,
    #[error("is longer than Opayo's limit of {0} characters")]
    TooLong(usize),
    #[error("contains `&`, which would end the field inside the crypt")]
    Ampersand,
    #[error("contains control characters")]
    ControlCharacters,
    #[error("has characters outside ISO-8859-1, which Opayo cannot take")]
    NotLatin1,
    #[error("is not a two-letter ISO 3166 country code")]
    NotACountry,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("Opayo field {field} {problem}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: FieldProblem,
}

/// Joins fields in the order given, leaving blank ones out rather than sending them empty.
pub(super) fn join<'a>(
    fields: impl IntoIterator<Item = (&'static str, &'a str)>,
) -> Result<Vec<u8>, FieldError> {
    let mut plain = Vec::new();
    for (field, value) in fields.into_iter().filter(|(_, value)| !value.is_empty()) {
        let encoded = encode(field, value)?;
        if !plain.is_empty() {
            plain.push(b'&');
        }
        plain.extend_from_slice(field.as_bytes());
        plain.push(b'=');
        plain.extend_from_slice(&encoded);
    }
    Ok(plain)
}

/// One value in ISO-8859-1, if the crypt's plain text can hold it.
pub(super) fn encode<'a>(field: &'static str, value: &'a str) -> Result<Cow<'a, [u8]>, FieldError> {
    let error = |problem| FieldError { field, problem };
    if value.contains('&') {
        return Err(error(FieldProblem::Ampersand));
    }
    if value.chars().any(char::is_control) {
        return Err(error(FieldProblem::ControlCharacters));
    }
    // encoding_rs would substitute an HTML character reference for what windows-1252
    // cannot hold, and its `&` would end the field.
    let (encoded, _, unmappable) = WINDOWS_1252.encode(value);
    if unmappable {
        return Err(error(FieldProblem::NotLatin1));
    }
    Ok(encoded)
}

/// Every byte is a character in windows-1252 (the WHATWG reading of the `ISO-8859-1` label),
/// so decoding cannot fail; garbage from a wrong key is caught by the field parser instead.
pub(super) fn decode(plain: &[u8]) -> String {
    WINDOWS_1252
        .decode_without_bom_handling(plain)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accented_latin_text_round_trips_as_single_bytes() {
        let plain = join([("CustomerName", "José Müller"), ("Description", "£5")]).unwrap();
        assert_eq!(plain, b"CustomerName=Jos\xe9 M\xfcller&Description=\xa35");
        assert_eq!(decode(&plain), "CustomerName=José Müller&Description=£5");
    }

    #[test]
    fn blank_fields_are_left_out() {
        assert_eq!(join([("A", ""), ("B", "1"), ("C", "")]).unwrap(), b"B=1");
        assert_eq!(join([]).unwrap(), b"");
    }

    #[test]
    fn refuses_values_the_crypt_cannot_carry() {
        for (value, problem) in [
            ("Fish & Chips", FieldProblem::Ampersand),
            ("two\nlines", FieldProblem::ControlCharacters),
            ("Łukasz", FieldProblem::NotLatin1),
            ("東京", FieldProblem::NotLatin1),
        ] {
            assert_eq!(
                join([("Description", value)]),
                Err(FieldError {
                    field: "Description",
                    problem
                }),
                "{value:?}"
            );
        }
    }
}
