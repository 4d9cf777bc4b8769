//! Whatever arrives at the callback URL, parsing and verifying it never panics.

use crate::support;

use proptest::prelude::*;
use selectpay_domain::callback::{parse_form, redact_password, verify};
use selectpay_domain::money::{Currency, Money};

fn content_types() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(
            "application/x-www-form-urlencoded; charset=ISO-8859-1".to_owned()
        )),
        Just(Some(
            "application/x-www-form-urlencoded; charset=UTF-8".to_owned()
        )),
        any::<String>().prop_map(Some),
    ]
}

/// Bodies built from the characters that matter to the parser, so the interesting paths
/// are reached far more often than with uniform bytes.
fn form_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'&'),
            Just(b'='),
            Just(b'%'),
            Just(b'+'),
            any::<u8>(),
            prop::sample::select(b"0123456789ABCDEFabcdef".to_vec()),
        ],
        0..512,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048), content_type in content_types()) {
        let _ = redact_password(&body);
        if let Ok(form) = parse_form(&body, content_type.as_deref()) {
            let _ = verify(form, &support::settings());
        }
    }

    #[test]
    fn form_like_bytes_never_panic(body in form_like_bytes(), content_type in content_types()) {
        let _ = redact_password(&body);
        if let Ok(form) = parse_form(&body, content_type.as_deref()) {
            let _ = verify(form, &support::settings());
        }
    }

    #[test]
    fn field_values_survive_a_latin1_round_trip(value in "[ -~\u{a0}-\u{ff}]{0,40}") {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&value);
        let body: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
        let form = parse_form(format!("name={body}").as_bytes(), None).unwrap();
        prop_assert_eq!(form.get("name"), Some(value.as_str()));
    }

    #[test]
    fn money_parsing_never_panics_and_round_trips(amount in "[0-9]{1,12}(\\.[0-9]{1,4})?") {
        let gbp = Currency::parse("GBP").unwrap();
        if let Ok(money) = Money::parse(&amount, gbp) {
            prop_assert_eq!(Money::parse(&money.decimal(), gbp).unwrap(), money);
        }
    }
}
