//! The FAQ's query-string callback: a POST whose callback URL carries
//! `?msgType=authResult&installation=…&transStatus=…&transaction=…&reference=…`. The body
//! (authenticated by `callbackPW`) decides; the query string is stored with the delivery, and
//! one that contradicts the body is recorded as `conflicting` and alerted.

use bytes::Bytes;
use http::Request;
use http::header::CONTENT_TYPE;
use selectpay_domain::cart::CartStatus;
use selectpay_domain::mail::MailKind;
use selectpay_domain::store::Delivery;
use selectpay_worldpay::gateway_simulator::{SimulatedPayment, encode_form};

use crate::support::*;

async fn post_with_query(h: &Harness, query: &str, delivery: &SimulatedPayment) -> u16 {
    let body = encode_form(&delivery.fields(), encoding_rs::WINDOWS_1252);
    let request = Request::post(format!("/callback?{query}"))
        .header(CONTENT_TYPE, LATIN1_FORM)
        .body(Bytes::from(body))
        .unwrap();
    h.request(request).await.status().as_u16()
}

async fn last_delivery(h: &Harness) -> Delivery {
    h.inspect().recent(1).await.unwrap().deliveries[0].clone()
}

fn faq_query(status: &str, trans_id: &str, cart_id: &str) -> String {
    format!(
        "msgType=authResult&installation={INSTALLATION}&transStatus={status}\
         &transaction={trans_id}&reference={cart_id}"
    )
}

async fn the_faqs_query_string_is_stored_and_the_body_decides(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    let query = faq_query("Y", "12227758", "c1");

    assert_eq!(
        post_with_query(&h, &query, &payment("c1", "14.99")).await,
        200
    );

    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
    let delivery = last_delivery(&h).await;
    assert_eq!(delivery.outcome, "paid");
    assert_eq!(delivery.query.as_deref(), Some(query.as_str()));
    assert!(h.sent_of(MailKind::OperatorAlert).is_empty());
}

async fn the_faqs_cancel_query_with_a_blank_transaction_agrees(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    let query = faq_query("C", "", "c1");

    assert_eq!(post_with_query(&h, &query, &cancel("c1")).await, 200);

    assert_eq!(h.record("c1").await.cart.status, CartStatus::Cancelled);
    assert_eq!(last_delivery(&h).await.outcome, "cancelled");
    assert!(h.sent_of(MailKind::OperatorAlert).is_empty());
}

async fn a_contradicting_query_string_is_conflicting_and_alerted_once(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.cart("c2", "14.99", "GBP").await;
    let query = faq_query("C", "12227758", "c2");

    assert_eq!(
        post_with_query(&h, &query, &payment("c1", "14.99")).await,
        200
    );

    let paid = h.record("c1").await;
    assert_eq!(paid.cart.status, CartStatus::Paid, "the body is acted on");
    assert_eq!(h.record("c2").await.cart.status, CartStatus::Pending);
    let delivery = last_delivery(&h).await;
    assert_eq!(delivery.outcome, "conflicting");
    assert_eq!(delivery.query.as_deref(), Some(query.as_str()));
    let alerts = h.sent_of(MailKind::OperatorAlert);
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].text.contains("transStatus, cartId"),
        "{}",
        alerts[0].text
    );

    // The gateway repeats the same delivery: recorded again, not alerted again.
    h.advance(time::Duration::seconds(1));
    assert_eq!(
        post_with_query(&h, &query, &payment("c1", "14.99")).await,
        200
    );
    assert_eq!(last_delivery(&h).await.outcome, "conflicting");
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);
    assert_eq!(h.record("c1").await.payments.len(), 1);
}

async fn a_password_in_the_query_string_is_not_stored(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    let query = format!("callbackPW={PASSWORD}&{}", faq_query("Y", "12227758", "c1"));

    assert_eq!(
        post_with_query(&h, &query, &payment("c1", "14.99")).await,
        200
    );

    let stored = last_delivery(&h).await.query.unwrap();
    assert!(!stored.contains(PASSWORD), "{stored}");
    assert!(stored.contains("reference=c1"));
}

on_both_stores!(
    the_faqs_query_string_is_stored_and_the_body_decides,
    the_faqs_cancel_query_with_a_blank_transaction_agrees,
    a_contradicting_query_string_is_conflicting_and_alerted_once,
    a_password_in_the_query_string_is_not_stored,
);
