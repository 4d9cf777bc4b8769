//! WorldPay's own example callbacks, and bodies in the charsets the gateway uses.

use crate::support;

use selectpay_domain::cart::{CartStatus, PaymentStatus};
use selectpay_domain::mail::MailKind;
use selectpay_worldpay::gateway_simulator::encode_form;
use support::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    format!("{}&callbackPW={PASSWORD}", text.trim_end()).into_bytes()
}

#[tokio::test]
async fn the_faqs_authorised_example_authorises_its_cart() {
    let h = Harness::test_mode();
    h.cart("Test Item", "14.99", "GBP").await;

    let response = h
        .post_callback(fixture("authorised.txt"), LATIN1_FORM)
        .await;

    assert_eq!(response.status(), 200);
    let record = h.record("Test Item").await;
    // The FAQ's example is a pre-authorisation (authMode=E): authorised, to be captured.
    assert_eq!(record.cart.status, CartStatus::Authorised);
    assert_eq!(record.payments[0].trans_id.as_str(), "12227758");
    assert_eq!(record.payments[0].status, PaymentStatus::Authorised);
    assert_eq!(record.payments[0].auth_mode.as_deref(), Some("E"));
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(notice.text.contains("Test Road"));
    assert!(notice.text.contains("M_var1: fred"));
    let receipt = &h.sent_of(MailKind::Receipt)[0];
    assert!(
        receipt.text.contains("14.99 GBP"),
        "the cart's amount, not authAmount"
    );
}

#[tokio::test]
async fn the_faqs_cancelled_example_cancels_its_cart() {
    let h = Harness::test_mode();
    h.cart("Test Item", "14.99", "GBP").await;

    let response = h.post_callback(fixture("cancelled.txt"), LATIN1_FORM).await;

    assert_eq!(response.status(), 200);
    assert!(body_text(&response).contains("Payment cancelled"));
    assert_eq!(
        h.record("Test Item").await.cart.status,
        CartStatus::Cancelled
    );
    assert!(h.sent().is_empty());
}

#[tokio::test]
async fn a_latin1_body_keeps_accented_names_in_the_receipt() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut zoe = payment("c1", "14.99");
    zoe.name = "Zoë Müller".into();
    let body = encode_form(&zoe.fields(), encoding_rs::WINDOWS_1252);
    assert!(
        body.windows(3).any(|w| w == b"%EB"),
        "ë is one Latin-1 byte on the wire"
    );
    assert!(
        String::from_utf8_lossy(&body).contains("amountString=%26%23163%3B14.99"),
        "amountString carries an HTML entity"
    );

    h.post_callback(body, LATIN1_FORM).await;

    let receipt = &h.sent_of(MailKind::Receipt)[0];
    assert!(receipt.text.contains("Dear Zoë Müller"), "{}", receipt.text);
    assert!(receipt.html.contains("Zoë Müller"));
}

#[tokio::test]
async fn a_utf8_body_declared_by_charenc_is_decoded_as_utf8() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut zoe = payment("c1", "14.99");
    zoe.name = "Zoë Müller".into();
    let mut fields = zoe.fields();
    fields.push(("charenc".into(), "UTF-8".into()));

    h.post_callback(encode_form(&fields, encoding_rs::UTF_8), LATIN1_FORM)
        .await;

    assert!(
        h.sent_of(MailKind::Receipt)[0]
            .text
            .contains("Dear Zoë Müller")
    );
}

#[tokio::test]
async fn a_windows_1252_body_keeps_the_euro_sign() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut euro = payment("c1", "14.99");
    // The name, as the mail shows it: `desc` is shown as the cart has it.
    euro.name = "Café €15 Ltd".into();
    let body = encode_form(&euro.fields(), encoding_rs::WINDOWS_1252);
    assert!(
        body.windows(3).any(|w| w == b"%80"),
        "€ is 0x80 in windows-1252"
    );

    h.post_callback(
        body,
        "application/x-www-form-urlencoded; charset=windows-1252",
    )
    .await;

    assert!(
        h.sent_of(MailKind::Receipt)[0]
            .text
            .contains("Dear Café €15 Ltd")
    );
}

#[tokio::test]
async fn mixed_case_content_type_and_charset_are_understood() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut zoe = payment("c1", "14.99");
    zoe.name = "Zoë".into();
    h.post_callback(
        encode_form(&zoe.fields(), encoding_rs::WINDOWS_1252),
        "Application/X-WWW-Form-URLEncoded; CHARSET=iso-8859-1",
    )
    .await;
    assert!(h.sent_of(MailKind::Receipt)[0].text.contains("Dear Zoë"));
}

#[tokio::test]
async fn script_in_shopper_fields_is_escaped_in_page_and_mail() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut evil = payment("c1", "14.99");
    evil.name = "<script>alert('name')</script>".into();
    let mut fields = evil.fields();
    for (name, value) in fields.iter_mut() {
        if name == "address" {
            *value = "<script>alert('address')</script>\r\n<img src=x onerror=alert(1)>".into();
        }
    }

    let response = h
        .post_callback(encode_form(&fields, encoding_rs::WINDOWS_1252), LATIN1_FORM)
        .await;

    let page = body_text(&response);
    assert!(!page.contains("<script>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;&#x2f;script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;address&#x27;)"),
        "{page}"
    );
    assert!(!page.contains("<img"));
    for mail in h.sent() {
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(!mail.html.contains("<img"), "{}", mail.html);
        assert!(!mail.subject.contains('\n') && !mail.subject.contains('\r'));
    }
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(
        notice
            .html
            .contains("&lt;script&gt;alert(&#x27;address&#x27;)")
    );
}
