//! Opayo Form results as API Gateway delivers the shopper's browser to the callback function:
//! `GET /return/opayo?crypt=@…` through `lambda_http` to the shared handler.

use selectpay_domain::cart::CartStatus;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::opayo::{EncryptionPassword, ReturnFields};
use selectpay_domain::order::Shopper;

use crate::http_events::{Deployed, deployed_with};
use crate::support::{dev_config_with, fixture, text};

/// A deployment offering Opayo with the development encryption password, and a cart sent
/// there (Opayo's result names no shopper: the receipt goes to the cart's).
async fn with_opayo_cart(cart_id: &str) -> Deployed {
    let aws = deployed_with(dev_config_with(&[("SELECTPAY_GATEWAYS", "worldpay,opayo")]));
    let shopper = Shopper {
        name: Some("Zoë Müller".into()),
        email: Some("zoe@example.com".into()),
        ..Shopper::default()
    };
    aws.cart_for(cart_id, Gateway::Opayo, shopper).await;
    aws
}

/// The recorded browser request, with the crypt Opayo would send for `status`.
fn event(status: &str, cart_id: &str) -> String {
    let plain = format!(
        "VendorTxCode={cart_id}&VPSTxId={{5A1C2B3D-0000-4000-8000-00000000000B}}\
         &Status={status}&StatusDetail=0000 : detail&TxAuthNo=8661&Amount=14.99\
         &CardType=VISA&Last4Digits=0006"
    );
    let password = EncryptionPassword::new("dev-opayo-16-key").unwrap();
    let crypt = ReturnFields::parse(plain.as_bytes())
        .unwrap()
        .crypt(&password)
        .unwrap();
    fixture("opayo_return.json").replace("CRYPT", &crypt)
}

#[tokio::test]
async fn an_ok_pays_once_and_a_refresh_gets_the_same_page() {
    let aws = with_opayo_cart("cart-opayo").await;
    let event = event("OK", "cart-opayo");

    let first = aws.send_event(&event).await;
    let refresh = aws.send_event(&event).await;

    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "text/html; charset=utf-8");
    assert!(text(&first).contains("Thank you"), "{}", text(&first));
    assert_eq!(text(&first), text(&refresh));
    assert_eq!(aws.status("cart-opayo").await, CartStatus::Paid);
    assert_eq!(aws.mails("-receipt-"), 1);
    assert_eq!(aws.mails("-order_notice-"), 1);
}

#[tokio::test]
async fn an_abort_cancels_the_cart_and_mails_nobody() {
    let aws = with_opayo_cart("cart-abort").await;
    let response = aws.send_event(&event("ABORT", "cart-abort")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(aws.status("cart-abort").await, CartStatus::Cancelled);
    assert_eq!(aws.mails(".eml"), 0);
}

#[tokio::test]
async fn a_tampered_crypt_gets_a_400_page() {
    let aws = with_opayo_cart("cart-tampered").await;
    let event = fixture("opayo_return.json").replace("CRYPT", "@00112233445566778899AABBCCDDEEFF");
    let response = aws.send_event(&event).await;
    assert_eq!(response.status(), 400);
    assert!(text(&response).contains("<html"), "a page for the shopper");
    assert_eq!(aws.status("cart-tampered").await, CartStatus::Pending);
}
