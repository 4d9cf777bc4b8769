//! The character set of the text inside a crypt. Opayo Form documents its fields as
//! ISO-8859-1, so an accented name sent as UTF-8 would reach the shopper's receipt garbled.

use encoding_rs::WINDOWS_1252;

/// `None` when the text holds a character ISO-8859-1 cannot carry. (encoding_rs would
/// otherwise substitute an HTML character reference, whose `&` ends a crypt field.)
pub(super) fn to_latin1(text: &str) -> Option<Vec<u8>> {
    let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
    (!unmappable).then(|| bytes.into_owned())
}

/// Every byte is a character in windows-1252 (the WHATWG reading of the `ISO-8859-1` label),
/// so decoding cannot fail; garbage from a wrong key is caught by the field parser instead.
pub(super) fn from_latin1(bytes: &[u8]) -> String {
    WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accented_latin_text_round_trips_as_single_bytes() {
        let bytes = to_latin1("José Müller £5").unwrap();
        assert_eq!(bytes, b"Jos\xe9 M\xfcller \xa35");
        assert_eq!(from_latin1(&bytes), "José Müller £5");
    }

    #[test]
    fn text_outside_latin1_is_refused_not_rewritten() {
        assert_eq!(to_latin1("Łukasz"), None);
        assert_eq!(to_latin1("東京"), None);
    }
}
