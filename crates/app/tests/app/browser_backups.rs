//! Browser-delivered backups, the FAQ's result-page form and its image tag, which carry no
//! `callbackPW`: answered 200 from what is already known, recorded as claims, never acted on.

use bytes::Bytes;
use http::Request;
use selectpay_app::CLAIMS_PER_MINUTE;
use selectpay_domain::cart::CartStatus;
use selectpay_domain::mail::MailKind;
use selectpay_worldpay::gateway_simulator::SimulatedPayment;

use crate::support::*;

/// The FAQ's backup form on resultY.html / resultC.html: the callback's fields as
/// `<wpdisplay>` values, posted by the shopper's browser, without the password.
fn backup(mut delivery: SimulatedPayment) -> SimulatedPayment {
    delivery.callback_password = None;
    delivery
}

/// The FAQ's image-tag backup, with its query names for transId and cartId.
fn image_tag(status: &str, cart_id: &str) -> Request<Bytes> {
    Request::get(format!(
        "/callback?transStatus={status}&transaction=12227758&reference={cart_id}"
    ))
    .body(Bytes::new())
    .unwrap()
}

async fn last_outcome(h: &Harness) -> String {
    let activity = h.inspect().recent(1).await.unwrap();
    activity.deliveries[0].outcome.clone()
}

async fn a_backup_for_a_paid_cart_gets_the_thank_you_page(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    let mails = h.sent().len();
    h.advance(time::Duration::seconds(1)); // so the claim is the latest delivery

    let response = h.send(&backup(payment("c1", "14.99"))).await;

    assert_eq!(response.status(), 200);
    let page = body_text(&response);
    assert!(page.contains("Your payment of 14.99 GBP"), "{page}");
    assert_eq!(last_outcome(&h).await, "claim");
    assert_eq!(h.record("c1").await.payments.len(), 1);
    assert_eq!(h.sent().len(), mails, "no mail, no security alert");
}

async fn a_backup_for_a_pending_cart_says_we_are_confirming(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;

    let response = h.send(&backup(payment("c1", "14.99"))).await;

    assert_eq!(response.status(), 200);
    let page = body_text(&response);
    assert!(page.contains("are confirming them with WorldPay"), "{page}");
    assert!(page.contains("<wpdisplay item=banner>"));
    let record = h.record("c1").await;
    assert_eq!(
        record.cart.status,
        CartStatus::Pending,
        "a claim never pays"
    );
    assert!(record.payments.is_empty());
    assert!(h.sent().is_empty());
    assert_eq!(last_outcome(&h).await, "claim");
}

async fn a_backup_for_a_cancelled_cart_gets_the_cancelled_page(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&cancel("c1")).await;
    h.advance(time::Duration::seconds(1));

    let response = h.send(&backup(cancel("c1"))).await;

    assert_eq!(response.status(), 200);
    assert!(body_text(&response).contains("Payment cancelled"));
    assert_eq!(last_outcome(&h).await, "claim");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Cancelled);
}

async fn the_faqs_image_tag_backup_is_a_claim(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    h.advance(time::Duration::seconds(1));

    let response = h.request(image_tag("Y", "c1")).await;

    assert_eq!(response.status(), 200);
    assert!(body_text(&response).contains("Thank you"));
    let activity = h.inspect().recent(1).await.unwrap();
    let delivery = &activity.deliveries[0];
    assert_eq!(delivery.outcome, "claim");
    assert_eq!(delivery.cart_id.as_deref(), Some("c1"));
    assert_eq!(delivery.trans_id.as_deref(), Some("12227758"));
    assert!(h.sent_of(MailKind::OperatorAlert).is_empty());
}

async fn a_claim_of_payment_does_not_pay_a_pending_cart(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;

    let response = h.request(image_tag("Y", "c1")).await;

    assert!(body_text(&response).contains("are confirming them with WorldPay"));
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
    // The authentic callback that follows still pays the cart.
    h.send(&payment("c1", "14.99")).await;
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
}

async fn a_cancel_backup_for_a_pending_cart_gets_the_cancelled_page(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;

    let response = h.request(image_tag("C", "c1")).await;

    assert_eq!(response.status(), 200);
    let page = body_text(&response);
    assert!(page.contains("Payment cancelled"), "{page}");
    assert!(!page.contains("confirming"), "{page}");
    assert_eq!(last_outcome(&h).await, "claim");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
}

on_both_stores!(
    a_cancel_backup_for_a_pending_cart_gets_the_cancelled_page,
    a_backup_for_a_paid_cart_gets_the_thank_you_page,
    a_backup_for_a_pending_cart_says_we_are_confirming,
    a_backup_for_a_cancelled_cart_gets_the_cancelled_page,
    the_faqs_image_tag_backup_is_a_claim,
    a_claim_of_payment_does_not_pay_a_pending_cart,
);

#[tokio::test]
async fn a_claim_naming_no_cart_is_a_bad_request() {
    let h = Harness::test_mode();
    let response = h
        .request(
            Request::get("/callback?transStatus=Y&transaction=1")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(last_outcome(&h).await, "invalid:missing_cart_id");
}

#[tokio::test]
async fn claims_are_rate_limited_and_the_excess_is_not_stored() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    for _ in 0..CLAIMS_PER_MINUTE {
        assert_eq!(h.request(image_tag("Y", "c1")).await.status(), 200);
    }
    assert_eq!(h.request(image_tag("Y", "c1")).await.status(), 429);
    let stored = h.inspect().recent(1000).await.unwrap().deliveries.len();
    assert_eq!(stored, CLAIMS_PER_MINUTE as usize);

    h.advance(time::Duration::minutes(1));
    assert_eq!(h.request(image_tag("Y", "c1")).await.status(), 200);
}
