//! Every row of the callback decision table, through the HTTP handler, on the SQLite store.

use crate::support;

use selectpay_domain::cart::{CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::mail::MailKind;
use support::*;

fn assert_shopper_page(response: &http::Response<bytes::Bytes>) -> String {
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("location").is_none());
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = body_text(response);
    assert!(page.contains("<wpdisplay item=banner>"), "{page}");
    assert!(page.contains(r#"<meta charset="utf-8">"#));
    let lower = page.to_lowercase();
    assert!(!lower.contains("http-equiv=\"refresh\""));
    assert!(!lower.contains("<script"));
    assert!(
        page.contains(r#"href="https://shop.example""#),
        "links are absolute"
    );
    page
}

#[tokio::test]
async fn authentic_payment_for_a_pending_cart_pays_it_and_mails_twice() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;

    let response = h.send(&payment("c1", "14.99")).await;

    let page = assert_shopper_page(&response);
    assert!(page.contains("Thank you"));
    let record = h.record("c1").await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    assert_eq!(record.cart.paid_by.as_ref().unwrap().as_str(), "12227758");
    assert_eq!(record.payments.len(), 1);
    assert_eq!(record.payments[0].status, PaymentStatus::Accepted);
    let receipts = h.sent_of(MailKind::Receipt);
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].to.as_str(), "demo@uk.worldpay.com");
    let notices = h.sent_of(MailKind::OrderNotice);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].to.as_str(), "merchant@shop.example");
    assert!(record.mails.iter().all(|m| m.sent_at.is_some()));
}

#[tokio::test]
async fn cancel_for_a_pending_cart_cancels_it_without_mail() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;

    let response = h.send(&cancel("c1")).await;

    let page = assert_shopper_page(&response);
    assert!(page.contains("Payment cancelled"));
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Cancelled);
    assert!(h.sent().is_empty(), "a cancel is not an error");
}

#[tokio::test]
async fn the_same_delivery_again_changes_nothing_and_gets_the_same_page() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let first = h.send(&payment("c1", "14.99")).await;

    h.advance(time::Duration::hours(1));
    let again = h.send(&payment("c1", "14.99")).await;

    assert_eq!(again.status(), 200);
    assert_eq!(again.body(), first.body());
    assert_eq!(h.record("c1").await.payments.len(), 1);
    assert_eq!(h.sent().len(), 2, "still one receipt and one notice");
}

#[tokio::test]
async fn a_repeated_cancel_gets_the_same_page() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let first = h.send(&cancel("c1")).await;
    let again = h.send(&cancel("c1")).await;
    assert_eq!(again.body(), first.body());
    assert!(h.sent().is_empty());
}

#[tokio::test]
async fn a_second_genuine_cancel_is_not_a_conflicting_repeat() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let first = h.send(&cancel("c1")).await;
    // Another attempt, cancelled too, carrying the transId of a declined try.
    let mut second = cancel("c1").fields();
    second.push(("transId".into(), "12227999".into()));
    let body =
        selectpay_worldpay::gateway_simulator::encode_form(&second, encoding_rs::WINDOWS_1252);
    h.advance(time::Duration::seconds(60));

    let reply = h.post_callback(body, LATIN1_FORM).await;

    assert_eq!(reply.status(), 200);
    assert_eq!(reply.body(), first.body());
    let activity = h.inspect().recent(1).await.unwrap();
    assert_eq!(activity.deliveries[0].outcome, "cancelled");
    assert!(h.sent().is_empty(), "no operator alert");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Cancelled);
}

#[tokio::test]
async fn same_trans_id_with_different_content_alerts_the_operator_once() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let first = h.send(&payment("c1", "14.99")).await;
    let mut altered = payment("c1", "14.99");
    altered.name = "Someone Else".into();

    let reply = h.send(&altered).await;
    let reply_again = h.send(&altered).await;

    assert_eq!(reply.body(), first.body());
    assert_eq!(reply_again.body(), first.body());
    let record = h.record("c1").await;
    assert_eq!(record.payments.len(), 1);
    assert_eq!(record.payments[0].status, PaymentStatus::Accepted);
    let alerts = h.sent_of(MailKind::OperatorAlert);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].to.as_str(), "operator@shop.example");
}

#[tokio::test]
async fn a_second_transaction_for_a_paid_cart_is_recorded_and_flagged_for_refund() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    let mut second = payment("c1", "14.99");
    second.trans_id = "99999999".into();

    let response = h.send(&second).await;

    let page = assert_shopper_page(&response);
    assert!(page.contains("Thank you"));
    let record = h.record("c1").await;
    assert_eq!(record.cart.paid_by.as_ref().unwrap().as_str(), "12227758");
    let double = record
        .payments
        .iter()
        .find(|p| p.trans_id.as_str() == "99999999")
        .unwrap();
    assert_eq!(double.status, PaymentStatus::DoublePayment);
    let alerts = h.sent_of(MailKind::MerchantAlert);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("refund"));
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1);
}

#[tokio::test]
async fn cancel_after_payment_keeps_the_cart_paid() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;

    let response = h.send(&cancel("c1")).await;

    let page = assert_shopper_page(&response);
    assert!(page.contains("Thank you"));
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
    assert_eq!(h.sent().len(), 2);
}

async fn assert_held_for_review(h: &Harness, cart: &str, reason: ReviewReason) {
    let record = h.record(cart).await;
    assert_eq!(record.cart.status, CartStatus::Pending, "not fulfilled");
    assert_eq!(record.payments.len(), 1, "but recorded");
    assert_eq!(record.payments[0].status, PaymentStatus::Review(reason));
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
    assert!(h.sent_of(MailKind::Receipt).is_empty());
    assert!(h.sent_of(MailKind::OrderNotice).is_empty());
}

#[tokio::test]
async fn a_tampered_amount_is_held_for_review() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let response = h.send(&payment("c1", "0.01")).await;
    let page = assert_shopper_page(&response);
    assert!(page.contains("being checked"));
    assert_held_for_review(&h, "c1", ReviewReason::AmountMismatch).await;
}

#[tokio::test]
async fn an_unparseable_amount_is_held_for_review() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "1e9")).await;
    assert_held_for_review(&h, "c1", ReviewReason::AmountMismatch).await;
}

#[tokio::test]
async fn a_tampered_currency_is_held_for_review() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut usd = payment("c1", "14.99");
    usd.currency = "USD".into();
    h.send(&usd).await;
    assert_held_for_review(&h, "c1", ReviewReason::CurrencyMismatch).await;
}

#[tokio::test]
async fn a_test_transaction_on_a_live_installation_is_held_for_review() {
    let h = Harness::live_mode();
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    assert_held_for_review(&h, "c1", ReviewReason::TestModeNotAllowed).await;
}

#[tokio::test]
async fn a_live_transaction_on_a_live_installation_pays() {
    let h = Harness::live_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut live = payment("c1", "14.99");
    live.test_mode = "0".into();
    h.send(&live).await;
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
}

#[tokio::test]
async fn a_payment_for_an_unknown_cart_is_recorded_for_review() {
    let h = Harness::test_mode();
    let response = h.send(&payment("nobody-issued-this", "14.99")).await;
    let page = assert_shopper_page(&response);
    assert!(page.contains("being checked"));
    let alerts = h.sent_of(MailKind::MerchantAlert);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].text.contains("unknown_cart"));
    let activity = h.inspect().recent(10).await.unwrap();
    assert_eq!(activity.payments.len(), 1);
    assert_eq!(
        activity.payments[0].status,
        PaymentStatus::Review(ReviewReason::UnknownCart)
    );
}

async fn assert_forbidden(h: &Harness, response: http::Response<bytes::Bytes>) {
    assert_eq!(response.status(), 403);
    assert_eq!(body_text(&response), "Forbidden", "no detail");
    let record = h.record("c1").await;
    assert_eq!(record.cart.status, CartStatus::Pending);
    assert!(record.payments.is_empty());
    let activity = h.inspect().recent(10).await.unwrap();
    assert!(activity.deliveries[0].outcome.starts_with("forbidden:"));
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut forged = payment("c1", "14.99");
    forged.callback_password = Some("guess".into());
    let response = h.send(&forged).await;
    assert_forbidden(&h, response).await;
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);
}

#[tokio::test]
async fn a_blank_password_is_refused() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    // No password field at all is a browser's claim instead (browser_backups.rs).
    for password in [Some("   ".to_owned()), Some(String::new())] {
        let mut forged = payment("c1", "14.99");
        forged.callback_password = password;
        let response = h.send(&forged).await;
        assert_forbidden(&h, response).await;
    }
}

#[tokio::test]
async fn the_password_is_compared_after_trimming_whitespace() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut padded = payment("c1", "14.99");
    padded.callback_password = Some(format!(" {PASSWORD}\t"));
    h.send(&padded).await;
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
}

#[tokio::test]
async fn a_foreign_installation_is_refused() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut foreign = payment("c1", "14.99");
    foreign.installation_id = "11111".into();
    let response = h.send(&foreign).await;
    assert_forbidden(&h, response).await;
}

#[tokio::test]
async fn security_alerts_are_rate_limited_to_one_an_hour() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut forged = payment("c1", "14.99");
    forged.callback_password = Some("guess".into());
    for _ in 0..5 {
        assert_eq!(h.send(&forged).await.status(), 403);
    }
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);
    assert_eq!(h.inspect().recent(10).await.unwrap().deliveries.len(), 5);

    h.advance(time::Duration::hours(1));
    h.send(&forged).await;
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 2);
}

#[tokio::test]
async fn a_missing_trans_status_is_a_bad_request_and_is_kept() {
    let h = Harness::test_mode();
    let body = format!("instId={INSTALLATION}&callbackPW={PASSWORD}&cartId=c1&transId=1");
    let response = h.post_callback(body.into_bytes(), LATIN1_FORM).await;
    assert_eq!(response.status(), 400);
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    assert_eq!(deliveries[0].outcome, "invalid:missing_trans_status");
    assert_eq!(
        deliveries[0].raw,
        b"instId=38290&cartId=c1&transId=1".to_vec(),
        "kept without the password"
    );
}

#[tokio::test]
async fn an_unparseable_body_is_a_bad_request_and_is_kept() {
    let h = Harness::test_mode();
    let response = h
        .post_callback(b"transStatus=Y&transStatus=C".to_vec(), LATIN1_FORM)
        .await;
    assert_eq!(response.status(), 400);
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    assert_eq!(deliveries[0].outcome, "invalid:unparseable");
    assert!(h.sent().is_empty());
}

#[tokio::test]
async fn an_oversized_body_is_refused_unread() {
    let h = Harness::test_mode();
    let response = h.post_callback(vec![b'a'; 20_000], LATIN1_FORM).await;
    assert_eq!(response.status(), 413);
    assert!(h.inspect().recent(10).await.unwrap().deliveries.is_empty());
}

#[tokio::test]
async fn a_query_string_callback_is_processed_like_a_form() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let query = String::from_utf8(selectpay_worldpay::gateway_simulator::encode_form(
        &payment("c1", "14.99").fields(),
        encoding_rs::WINDOWS_1252,
    ))
    .unwrap();
    let response = h
        .request(
            http::Request::get(format!("/callback?{query}"))
                .body(bytes::Bytes::new())
                .unwrap(),
        )
        .await;
    assert_shopper_page(&response);
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
}

#[tokio::test]
async fn mail_that_fails_is_kept_and_redelivered_later() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    *h.mailer.failing.lock().unwrap() = true;

    let response = h.send(&payment("c1", "14.99")).await;

    assert_eq!(response.status(), 200, "the payment stands");
    assert!(
        h.record("c1")
            .await
            .mails
            .iter()
            .all(|m| m.sent_at.is_none())
    );
    *h.mailer.failing.lock().unwrap() = false;
    h.advance(time::Duration::minutes(10));
    let summary = h.app.redeliver_pending_mail(100).await.unwrap();
    assert_eq!(summary.sent, 2);
    assert!(
        h.record("c1")
            .await
            .mails
            .iter()
            .all(|m| m.sent_at.is_some())
    );
    let again = h.app.redeliver_pending_mail(100).await.unwrap();
    assert_eq!(again.sent, 0, "never sent twice");
}

#[tokio::test]
async fn an_unavailable_store_answers_503_so_the_gateway_keeps_the_data() {
    let h = Harness::with_store(&[], std::sync::Arc::new(BrokenStore::Unavailable));
    let response = h.send(&payment("c1", "14.99")).await;
    assert_eq!(response.status(), 503);
    assert!(h.sent().is_empty());
    let forged = h
        .post_callback(b"transStatus=Y".to_vec(), LATIN1_FORM)
        .await;
    assert_eq!(
        forged.status(),
        503,
        "nothing can be recorded, so nothing is acknowledged"
    );
}

#[tokio::test(start_paused = true)]
async fn a_store_that_never_answers_gets_a_503_before_lambda_gives_up() {
    let h = Harness::with_store(&[], std::sync::Arc::new(BrokenStore::Hanging));
    let started = tokio::time::Instant::now();
    let response = h.send(&payment("c1", "14.99")).await;
    assert_eq!(response.status(), 503);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "inside Lambda's 10 s"
    );
}
