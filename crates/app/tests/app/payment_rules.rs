//! How an authentic payment is judged beyond "does it match the cart": pre-authorisation,
//! the merchant's risk rule, a second payment's amount, and the parsing a shopper could
//! otherwise turn against the shop (repeated custom fields, charsets).

use bytes::Bytes;
use http::Request;
use serde_json::Value;

use selectpay_domain::cart::{CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::mail::MailKind;
use selectpay_worldpay::gateway_simulator::{SimulatedPayment, encode_form};

use crate::support::*;

/// The gateway's form for `payment` with some fields replaced or added.
fn body_with(payment: &SimulatedPayment, changes: &[(&str, &str)]) -> Vec<u8> {
    let mut fields = payment.fields();
    for &(name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_owned(),
            None => fields.push((name.to_owned(), value.to_owned())),
        }
    }
    encode_form(&fields, encoding_rs::WINDOWS_1252)
}

async fn pay_with(h: &Harness, cart_id: &str, changes: &[(&str, &str)]) -> String {
    let body = body_with(&payment(cart_id, "14.99"), changes);
    let response = h.post_callback(body, LATIN1_FORM).await;
    assert_eq!(response.status(), 200);
    body_text(&response)
}

async fn cart_json(h: &Harness, cart_id: &str) -> Value {
    let response = h
        .request(
            Request::get(format!("/carts/{cart_id}"))
                .header("authorization", format!("Bearer {API_KEY}"))
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 200);
    serde_json::from_slice(response.body()).unwrap()
}

async fn a_pre_authorisation_is_authorised_not_paid(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;

    let page = pay_with(&h, "c1", &[("authMode", "E")]).await;

    assert!(
        page.contains("It will be charged when your order is confirmed"),
        "{page}"
    );
    let record = h.record("c1").await;
    assert_eq!(record.cart.status, CartStatus::Authorised);
    assert_eq!(record.payments[0].status, PaymentStatus::Authorised);
    let json = cart_json(&h, "c1").await;
    assert_eq!(json["status"], "authorised");
    assert_eq!(json["payments"][0]["status"], "authorised");
    let receipt = &h.sent_of(MailKind::Receipt)[0];
    assert!(
        receipt.text.contains("Card authorised for: 14.99 GBP"),
        "{}",
        receipt.text
    );
    assert!(!receipt.text.contains("Amount paid"));
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(notice.subject.contains("to capture"), "{}", notice.subject);
    assert!(
        notice.text.contains("Post-authorise (capture)"),
        "{}",
        notice.text
    );
}

async fn a_second_payment_of_the_wrong_amount_is_reviewed_not_double(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    let mut second = payment("c1", "0.01");
    second.trans_id = "12227759".into();

    let response = h.send(&second).await;

    assert!(body_text(&response).contains("being checked"));
    let record = h.record("c1").await;
    assert_eq!(record.cart.paid_by.as_ref().unwrap().as_str(), "12227758");
    let second = record
        .payments
        .iter()
        .find(|p| p.trans_id.as_str() == "12227759")
        .unwrap();
    assert_eq!(
        second.status,
        PaymentStatus::Review(ReviewReason::AmountMismatch)
    );
    let alerts = h.sent_of(MailKind::MerchantAlert);
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].subject.contains("needs checking"),
        "not 'refund one'"
    );
}

async fn a_wrong_cvv_holds_the_payment_for_review(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;

    let page = pay_with(&h, "c1", &[("AVS", "4222")]).await;

    assert!(page.contains("being checked"), "{page}");
    let record = h.record("c1").await;
    assert_eq!(record.cart.status, CartStatus::Pending, "not fulfilled");
    assert_eq!(
        record.payments[0].status,
        PaymentStatus::Review(ReviewReason::Risk)
    );
    let alert = &h.sent_of(MailKind::MerchantAlert)[0];
    assert!(alert.text.contains("cvv_not_matched"), "{}", alert.text);
    assert!(alert.text.contains("card security code (CVV): NOT matched"));
    let json = cart_json(&h, "c1").await;
    assert_eq!(json["payments"][0]["status"], "review:risk");
    assert_eq!(json["payments"][0]["avsChecks"]["cvv"], "not_matched");
    assert_eq!(json["payments"][0]["avsChecks"]["postcode"], "matched");
}

/// `desc` comes back in the form the shopper's browser posted: what was sold is the cart's.
async fn the_page_and_mail_name_what_was_sold_not_an_edited_desc(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    let page = pay_with(&h, "c1", &[("desc", "Gold bars")]).await;
    assert!(page.contains("(Test Item)"), "{page}");
    assert!(!page.contains("Gold bars"), "{page}");
    let record = h.record("c1").await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(
        notice.text.contains("Description: Test Item"),
        "{}",
        notice.text
    );
    for mail in h.sent() {
        assert!(!mail.text.contains("Gold bars") && !mail.html.contains("Gold bars"));
    }
}

async fn the_page_says_a_confirmation_was_mailed_only_when_one_was(h: Harness) {
    const MAILED: &str = "A confirmation has been sent by email.";
    h.cart("c1", "14.99", "GBP").await;
    h.cart("c2", "14.99", "GBP").await;
    assert!(pay_with(&h, "c1", &[]).await.contains(MAILED));
    let mut second = payment("c2", "14.99");
    second.trans_id = "12227759".into();
    second.email = String::new();
    let response = h.post_callback(body_with(&second, &[]), LATIN1_FORM).await;
    let page = body_text(&response);
    assert!(
        page.contains("Thank you") && !page.contains(MAILED),
        "{page}"
    );
    assert_eq!(h.record("c2").await.cart.status, CartStatus::Paid);
    assert_eq!(
        h.sent_of(MailKind::Receipt).len(),
        1,
        "only c1's shopper gave an address"
    );
    let notice = h.sent_of(MailKind::OrderNotice).pop().unwrap();
    assert!(
        notice.text.contains("Shopper: WorldPay Test\n"),
        "{}",
        notice.text
    );
    assert!(
        !notice.text.to_lowercase().contains("none"),
        "{}",
        notice.text
    );
}

on_both_stores!(
    the_page_says_a_confirmation_was_mailed_only_when_one_was,
    the_page_and_mail_name_what_was_sold_not_an_edited_desc,
    a_pre_authorisation_is_authorised_not_paid,
    a_second_payment_of_the_wrong_amount_is_reviewed_not_double,
    a_wrong_cvv_holds_the_payment_for_review,
);

#[tokio::test]
async fn a_worldalert_caution_holds_by_default_and_a_warning_does_not() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    h.cart("c2", "14.99", "GBP").await;

    pay_with(&h, "c1", &[("wafMerchMessage", "waf.caution")]).await;
    let mut other = payment("c2", "14.99");
    other.trans_id = "2".into();
    let body = body_with(&other, &[("wafMerchMessage", "waf.warning")]);
    h.post_callback(body, LATIN1_FORM).await;

    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
    assert_eq!(h.record("c2").await.cart.status, CartStatus::Paid);
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(
        notice.text.contains("WorldAlert: warning"),
        "{}",
        notice.text
    );
}

#[tokio::test]
async fn the_merchant_chooses_the_hold_rules() {
    let h = Harness::with_env(&[("SELECTPAY_HOLD_ON", "postcode_not_matched")]);
    h.cart("c1", "14.99", "GBP").await;
    h.cart("c2", "14.99", "GBP").await;

    pay_with(&h, "c1", &[("AVS", "2422")]).await;
    let mut other = payment("c2", "14.99");
    other.trans_id = "2".into();
    h.post_callback(body_with(&other, &[("AVS", "4222")]), LATIN1_FORM)
        .await;

    let held = h.record("c1").await;
    assert_eq!(
        held.payments[0].status,
        PaymentStatus::Review(ReviewReason::Risk)
    );
    assert_eq!(
        h.record("c2").await.cart.status,
        CartStatus::Paid,
        "cvv not held"
    );
}

#[tokio::test]
async fn a_repeated_custom_field_no_longer_makes_a_callback_unrecordable() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut body = body_with(&payment("c1", "14.99"), &[]);
    body.extend_from_slice(b"&M_gift=yes&M_gift=wrapped&MC_log=2379");

    let response = h.post_callback(body, LATIN1_FORM).await;

    assert_eq!(response.status(), 200);
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
    let notice = &h.sent_of(MailKind::OrderNotice)[0];
    assert!(
        notice.text.contains("M_gift: yes\nM_gift: wrapped"),
        "{}",
        notice.text
    );
}

#[tokio::test]
async fn a_repeated_protocol_field_with_two_values_is_still_refused() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut body = body_with(&payment("c1", "14.99"), &[]);
    body.extend_from_slice(b"&amount=0.01");

    let response = h.post_callback(body, LATIN1_FORM).await;

    assert_eq!(response.status(), 400);
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
}

#[tokio::test]
async fn a_utf16_body_is_refused_and_kept_without_its_bytes() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let text = format!("callbackPW={PASSWORD}&instId={INSTALLATION}&cartId=c1&transStatus=Y");
    let body: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();

    let response = h
        .post_callback(body, "application/x-www-form-urlencoded; charset=UTF-16")
        .await;

    assert_eq!(response.status(), 400);
    let activity = h.inspect().recent(1).await.unwrap();
    let delivery = &activity.deliveries[0];
    assert_eq!(delivery.outcome, "invalid:unsupported_charset");
    assert!(
        delivery.raw.is_empty(),
        "never stored with a password in it"
    );
    let charenc = format!("charenc=UTF-16&callbackPW={PASSWORD}&instId={INSTALLATION}");
    let response = h.post_callback(charenc.into_bytes(), LATIN1_FORM).await;
    assert_eq!(response.status(), 400);
}
