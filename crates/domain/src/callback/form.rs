//! Decoding of WorldPay's form-encoded payment responses from raw bytes.
//!
//! Percent-escapes are decoded to bytes first and only then is text decoded, by the charset
//! the body declares: WorldPay sends ISO-8859-1 by default, so treating the body as UTF-8
//! would corrupt every accented name.

use std::borrow::Cow;

use percent_encoding::percent_decode;
use thiserror::Error;

use super::charset::{CharsetError, form_encoding};
use super::repeats::{Repeat, on_repeat};

/// WorldPay's responses are a few kilobytes; anything far larger is not from the gateway.
pub const MAX_CALLBACK_BYTES: usize = 16 * 1024;

const PASSWORD_FIELD: &[u8] = b"callbackPW";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormError {
    #[error("body is larger than {MAX_CALLBACK_BYTES} bytes")]
    TooLarge,
    #[error("field `{0}` appears more than once with different values")]
    DuplicateField(String),
    #[error("unknown charset `{0}`")]
    UnknownCharset(String),
    /// Splitting on `&`/`=` and redacting the password work on ASCII bytes (see
    /// [`super::charset`]).
    #[error("charset `{0}` is not ASCII-compatible")]
    UnsupportedCharset(&'static str),
    #[error("body is not valid {0}")]
    Malformed(&'static str),
}

/// Decoded fields in arrival order; names are case-sensitive and unique, except custom
/// fields, which may repeat (see [`super::repeats`]): [`Form::get`] gives the first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field that is present and not blank, trimmed.
    pub fn non_blank(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Form {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Self {
            fields: iter
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }
}

/// Splits a form body into percent-decoded name and value bytes.
fn raw_pairs(body: &[u8]) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    body.split(|&b| b == b'&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = match segment.iter().position(|&b| b == b'=') {
                Some(at) => (&segment[..at], &segment[at + 1..]),
                None => (segment, &segment[..0]),
            };
            (decode_component(name), decode_component(value))
        })
}

fn decode_component(bytes: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced).collect()
}

/// The `charset` parameter of a `Content-Type` header, if any.
fn declared_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// Parses a form body (or query string). The body's own `charenc` field wins over the
/// header's charset because it describes these very bytes; ISO-8859-1 is the default.
///
/// Hand-written on purpose, bytes first: `serde_urlencoded` (used for the forms selectpay
/// itself sends) decodes percent-escapes as UTF-8 before anyone could read `charenc`, and
/// would turn a Latin-1 `Zo%EB` into a replacement character.
pub fn parse_form(body: &[u8], content_type: Option<&str>) -> Result<Form, FormError> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(FormError::TooLarge);
    }
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = raw_pairs(body).collect();
    let charenc = pairs
        .iter()
        .find(|(name, _)| name == b"charenc")
        .map(|(_, value)| String::from_utf8_lossy(value).trim().to_owned())
        .filter(|label| !label.is_empty());
    let label = charenc
        .or_else(|| content_type.and_then(declared_charset).map(str::to_owned))
        .unwrap_or_else(|| "ISO-8859-1".to_owned());
    let encoding = form_encoding(&label).map_err(|error| match error {
        CharsetError::Unknown(label) => FormError::UnknownCharset(label),
        CharsetError::NotAsciiCompatible(name) => FormError::UnsupportedCharset(name),
    })?;
    let decode = |bytes: &[u8]| -> Result<String, FormError> {
        encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(Cow::into_owned)
            .ok_or(FormError::Malformed(encoding.name()))
    };
    let mut fields: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (name, value) in &pairs {
        let (name, value) = (decode(name)?, decode(value)?);
        let earlier = fields.iter().rev().find(|(seen, _)| *seen == name);
        match earlier.map(|(_, earlier)| on_repeat(&name, earlier, &value)) {
            None | Some(Repeat::Keep) => fields.push((name, value)),
            Some(Repeat::Drop) => {}
            Some(Repeat::Refuse) => {
                return Err(FormError::DuplicateField(name.chars().take(40).collect()));
            }
        }
    }
    Ok(Form { fields })
}

/// The raw body without its `callbackPW` field, for storing: works on any bytes, so even a
/// body that cannot be parsed is kept without the password.
pub fn redact_password(body: &[u8]) -> Vec<u8> {
    let kept: Vec<&[u8]> = body
        .split(|&b| b == b'&')
        .filter(|segment| {
            let name = segment.split(|&b| b == b'=').next().unwrap_or_default();
            decode_component(name) != PASSWORD_FIELD
        })
        .collect();
    kept.join(&b'&')
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATIN1: &str = "application/x-www-form-urlencoded; charset=ISO-8859-1";

    #[test]
    fn decodes_latin1_percent_escapes_by_the_declared_charset() {
        let form = parse_form(
            b"name=Zo%EB+M%FCller&amountString=%26%23163%3B14.99",
            Some(LATIN1),
        )
        .unwrap();
        assert_eq!(form.get("name"), Some("Zoë Müller"));
        assert_eq!(form.get("amountString"), Some("&#163;14.99"));
    }

    #[test]
    fn defaults_to_latin1_without_a_charset() {
        let form = parse_form(b"name=Zo%EB", None).unwrap();
        assert_eq!(form.get("name"), Some("Zoë"));
    }

    #[test]
    fn charenc_in_the_body_wins() {
        let form = parse_form(b"charenc=UTF-8&name=Zo%C3%AB", Some(LATIN1)).unwrap();
        assert_eq!(form.get("name"), Some("Zoë"));
    }

    #[test]
    fn windows_1252_has_the_euro_sign() {
        let form = parse_form(
            b"desc=%80+5",
            Some("application/x-www-form-urlencoded; Charset=\"windows-1252\""),
        )
        .unwrap();
        assert_eq!(form.get("desc"), Some("€ 5"));
    }

    #[test]
    fn names_are_case_sensitive_and_duplicates_are_ambiguous() {
        let form = parse_form(b"transStatus=Y&transstatus=C", None).unwrap();
        assert_eq!(form.get("transStatus"), Some("Y"));
        assert_eq!(
            parse_form(b"transStatus=Y&transStatus=C", None),
            Err(FormError::DuplicateField("transStatus".into()))
        );
    }

    #[test]
    fn repeated_custom_fields_are_kept_in_order_and_agreeing_repeats_collapse() {
        let form = parse_form(b"M_item=mug&transStatus=Y&M_item=cup&transStatus=Y", None).unwrap();
        let fields: Vec<(&str, &str)> = form.fields().collect();
        assert_eq!(
            fields,
            [("M_item", "mug"), ("transStatus", "Y"), ("M_item", "cup")]
        );
        assert_eq!(form.get("M_item"), Some("mug"));
    }

    #[test]
    fn charsets_that_are_not_ascii_compatible_are_refused() {
        assert_eq!(
            parse_form(b"charenc=UTF-16&transStatus=Y", None),
            Err(FormError::UnsupportedCharset("UTF-16LE"))
        );
        assert_eq!(
            parse_form(
                b"a=b",
                Some("application/x-www-form-urlencoded; charset=ISO-2022-JP")
            ),
            Err(FormError::UnsupportedCharset("ISO-2022-JP"))
        );
    }

    #[test]
    fn rejects_unknown_charsets_and_malformed_utf8() {
        assert!(matches!(
            parse_form(b"a=b", Some("text/plain; charset=klingon")),
            Err(FormError::UnknownCharset(_))
        ));
        assert_eq!(
            parse_form(b"charenc=UTF-8&name=%FF", None),
            Err(FormError::Malformed("UTF-8"))
        );
    }

    #[test]
    fn rejects_oversized_bodies() {
        let body = vec![b'a'; MAX_CALLBACK_BYTES + 1];
        assert_eq!(parse_form(&body, None), Err(FormError::TooLarge));
    }

    #[test]
    fn redacts_the_password_even_when_encoded() {
        assert_eq!(
            redact_password(b"a=1&callbackPW=s3cret&b=2&callback%50W=x"),
            b"a=1&b=2".to_vec()
        );
    }
}
