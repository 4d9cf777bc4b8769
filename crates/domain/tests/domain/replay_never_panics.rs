//! Whatever file an operator hands to `selectpay replay`, reading it never panics, and
//! `name=value` lines read back as exactly the fields they name.

use proptest::prelude::*;
use selectpay_domain::callback::parse_form;
use selectpay_domain::replay::{parse_failure_alert, read_form_file};

use crate::support;

/// Mail-shaped bytes: headers, boundaries and encodings come up often.
fn mail_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&[u8]] = &[
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename=x\r\n",
        b"\r\n--b\r\n",
        b"Cart ID: ",
        b"transStatus=Y&instId=1",
        b"=\r\n",
    ];
    support::strung_from(WORDS, prop::collection::vec(any::<u8>(), 0..16), 48)
}

/// A field name as WorldPay spells them: never blank, no `=`, no surrounding blanks.
fn field_name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_]{0,12}".prop_filter("charenc changes the encoding", |n| n != "charenc")
}

/// Any one-line value, blanks at either end included.
fn field_value() -> impl Strategy<Value = String> {
    "[^\r\n]{0,24}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn reading_an_alert_never_panics(bytes in mail_like_bytes()) {
        let _ = parse_failure_alert(&bytes);
    }

    #[test]
    fn reading_a_form_file_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_form_file(&bytes);
    }

    #[test]
    fn name_value_lines_round_trip(
        fields in prop::collection::btree_map(field_name(), field_value(), 2..12),
        crlf in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let text: String = fields
            .iter()
            .map(|(name, value)| format!("{name}={value}{newline}"))
            .collect();
        let data = read_form_file(text.as_bytes()).unwrap();
        let form = parse_form(&data.body, data.content_type).unwrap();
        let read: Vec<(&str, &str)> = form.fields().collect();
        let written: Vec<(&str, &str)> =
            fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        prop_assert_eq!(read, written);
    }
}
