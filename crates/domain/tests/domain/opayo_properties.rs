//! Properties of the Opayo codec: whatever arrives as a crypt, and whatever a shopper types
//! into a purchase, it answers with a value or a typed error and never panics; and any result
//! it writes (as the simulator does) it reads back unchanged.

use proptest::prelude::*;
use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::opayo::{
    Address, EncryptionPassword, OpayoAmount, PurchaseRequest, ReturnFields, SendEmail, Status,
    VpsTxId, decrypt, encrypt,
};

use crate::support;

fn password() -> EncryptionPassword {
    EncryptionPassword::new("0123456789abcdef").unwrap()
}

/// Crypt-shaped text: mostly hex after an `@`, so decryption and padding are reached often.
fn crypt_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "@[0-9A-F]{0,96}",
        "@[0-9a-fA-F@%&= ]{0,64}",
    ]
}

/// Result-shaped plain text built from the names and separators the parser cares about.
fn result_like() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&[u8]] = &[
        b"&",
        b"=",
        b",",
        b"Status=",
        b"OK",
        b"VendorTxCode=",
        b"VPSTxId=",
        b"Amount=",
        b"Last4Digits=",
    ];
    let noise = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..8),
        "[0-9.,]{0,12}".prop_map(String::into_bytes),
    ];
    support::strung_from(WORDS, noise, 24)
}

fn address(text: &str) -> Address {
    Address {
        surname: text.to_owned(),
        firstnames: text.to_owned(),
        address1: text.to_owned(),
        city: text.to_owned(),
        post_code: text.to_owned(),
        country: text.to_owned(),
    }
}

/// Result text as Opayo writes it: no `&`, no surrounding blanks (the parser trims them).
fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[A-Za-z0-9:.=éü]([A-Za-z0-9 :.=éü]{0,30}[A-Za-z0-9:.=éü])?")
}

fn return_fields() -> impl Strategy<Value = ReturnFields> {
    let ids = (
        prop::sample::select(Status::ALL.to_vec()),
        "[0-9a-f]{1,40}",
        "\\{[0-9A-F-]{36}\\}",
        0..u64::from(u32::MAX),
        prop::option::of("[0-9]{4}"),
    );
    let texts = prop::collection::vec(text(), 11);
    (ids, texts).prop_map(|((status, cart, tx, minor_units, last4), texts)| {
        let gbp = Currency::parse("GBP").unwrap();
        let mut texts = texts.into_iter();
        let mut next = || texts.next().flatten();
        ReturnFields {
            status,
            status_detail: next(),
            cart_id: CartId::parse(&cart).unwrap(),
            vps_tx_id: VpsTxId::parse(&tx),
            tx_auth_no: next(),
            amount: Some(Money::from_minor_units(minor_units, gbp).into()),
            avs_cv2: next(),
            address_result: next(),
            post_code_result: next(),
            cv2_result: next(),
            three_d_secure_status: next(),
            card_type: next(),
            last4_digits: last4,
            decline_code: next(),
            bank_auth_code: next(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_crypt_decrypts_or_errs(crypt in crypt_like()) {
        let _ = decrypt(&crypt, &password());
        let _ = ReturnFields::from_crypt(&crypt, &password());
    }

    #[test]
    fn any_plain_result_parses_or_errs(plain in result_like()) {
        let _ = ReturnFields::parse(&plain);
        // The same bytes as a real crypt reach the parser past decryption.
        let _ = ReturnFields::from_crypt(&encrypt(&plain, &password()), &password());
    }

    #[test]
    fn any_amount_parses_or_errs(text in "[0-9.,]{0,30}|\\PC{0,30}") {
        if let Ok(amount) = OpayoAmount::parse(&text) {
            let _ = amount.in_currency(Currency::parse("GBP").unwrap());
        }
    }

    #[test]
    fn any_shopper_text_builds_a_crypt_or_a_typed_error(text in "\\PC{0,120}|.{0,30}") {
        let request = PurchaseRequest {
            cart_id: CartId::from_random([1; 16]),
            amount: Money::from_minor_units(1, Currency::parse("GBP").unwrap()),
            description: text.clone(),
            success_url: "https://shop.example/return/opayo".to_owned(),
            failure_url: text.clone(),
            customer_name: text.clone(),
            customer_email: text.clone(),
            billing: address(&text),
            delivery: address(&text),
            send_email: SendEmail::ShopperAndVendor,
            vendor_email: text,
        };
        if let Ok(crypt) = request.crypt(&password()) {
            prop_assert_eq!(decrypt(&crypt, &password()).unwrap(), request.plain_text().unwrap());
        }
    }

    #[test]
    fn whatever_rust_encrypts_it_decrypts(plain in prop::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(decrypt(&encrypt(&plain, &password()), &password()).unwrap(), plain);
    }

    #[test]
    fn any_result_written_reads_back_unchanged(fields in return_fields()) {
        let crypt = fields.crypt(&password()).unwrap();
        prop_assert_eq!(ReturnFields::from_crypt(&crypt, &password()), Ok(fields));
    }
}
