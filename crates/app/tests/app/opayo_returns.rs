//! Opayo results on `GET /return/opayo`, through the HTTP handler, on both stores: every
//! status, ten refreshes of one `OK`, an abort, mismatches, and crypts we did not make.

use crate::purchase_api::{ORDER, json, order};
use crate::support;

use selectpay_domain::cart::{CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::mail::MailKind;
use selectpay_domain::opayo::{EncryptionPassword, ReturnFields};
use support::*;

pub(crate) const OPAYO: &[(&str, &str)] = &[("SELECTPAY_GATEWAYS", "worldpay,opayo")];
pub(crate) const VPS_TX_ID: &str = "{5A1C2B3D-0000-4000-8000-00000000000A}";

/// A cart bought through `POST /purchase` with `"gateway": "opayo"`, as a storefront does.
pub(crate) async fn opayo_cart(h: &Harness) -> String {
    let body = ORDER.replacen('{', r#"{"gateway":"opayo","#, 1);
    let response = h.request(order(&body)).await;
    assert_eq!(response.status(), 201);
    json(&response)["cartId"].as_str().unwrap().to_owned()
}

/// The crypt Opayo would send back for `status` on `cart_id`.
pub(crate) fn crypt(status: &str, cart_id: &str, vps_tx_id: &str, amount: &str) -> String {
    let plain = format!(
        "VendorTxCode={cart_id}&VPSTxId={vps_tx_id}&Status={status}\
         &StatusDetail=0000 : detail&TxAuthNo=8661&Amount={amount}&AVSCV2=ALL MATCH\
         &AddressResult=MATCHED&PostCodeResult=MATCHED&CV2Result=MATCHED\
         &3DSecureStatus=OK&CardType=VISA&Last4Digits=0006&BankAuthCode=999777"
    );
    let password = EncryptionPassword::new("dev-opayo-16-key").unwrap();
    ReturnFields::parse(plain.as_bytes())
        .unwrap()
        .crypt(&password)
        .unwrap()
}

pub(crate) async fn back(h: &Harness, crypt: &str) -> http::Response<bytes::Bytes> {
    let request = http::Request::get(format!("/return/opayo?crypt={crypt}"))
        .body(bytes::Bytes::new())
        .unwrap();
    h.request(request).await
}

async fn ten_refreshes_of_one_ok_pay_once(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    let crypt = crypt("OK", &cart_id, VPS_TX_ID, "14.99");

    let mut pages = Vec::new();
    for _ in 0..10 {
        let response = back(&h, &crypt).await;
        assert_eq!(response.status(), 200);
        pages.push(body_text(&response));
    }

    assert!(pages[0].contains("Thank you"), "{}", pages[0]);
    assert!(
        pages.iter().all(|page| page == &pages[0]),
        "ten identical pages"
    );
    let record = h.record(&cart_id).await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    assert_eq!(record.cart.paid_by.unwrap().as_str(), VPS_TX_ID);
    assert_eq!(record.payments.len(), 1);
    assert_eq!(record.payments[0].status, PaymentStatus::Accepted);
    let receipts = h.sent_of(MailKind::Receipt);
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].to.as_str(), "zoe@example.com");
    assert_eq!(h.sent_of(MailKind::OrderNotice).len(), 1);
}

async fn an_abort_cancels_without_any_mail(h: Harness) {
    let cart_id = opayo_cart(&h).await;

    for _ in 0..2 {
        let response = back(&h, &crypt("ABORT", &cart_id, VPS_TX_ID, "14.99")).await;
        assert_eq!(response.status(), 200);
        assert!(body_text(&response).contains("Payment cancelled"));
    }

    assert_eq!(h.record(&cart_id).await.cart.status, CartStatus::Cancelled);
    assert!(h.sent().is_empty(), "no mail to anyone");
}

async fn refused_and_unfinished_payments_leave_the_cart_open_without_mail(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    for (status, page) in [
        ("NOTAUTHED", "Payment not authorised"),
        ("REJECTED", "Payment not authorised"),
        ("PENDING", "Payment pending"),
        ("MALFORMED", "Payment not completed"),
        ("INVALID", "Payment not completed"),
        ("ERROR", "Payment not completed"),
    ] {
        let response = back(&h, &crypt(status, &cart_id, VPS_TX_ID, "14.99")).await;
        assert_eq!(response.status(), 200, "{status}");
        let text = body_text(&response);
        assert!(text.contains(page), "{status}: {text}");
        assert!(
            text.contains(r#"href="https://shop.example""#),
            "a way back"
        );
    }
    let record = h.record(&cart_id).await;
    assert_eq!(record.cart.status, CartStatus::Pending);
    assert!(record.payments.is_empty());
    assert!(h.sent().is_empty(), "no operator or merchant mail");
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    assert_eq!(deliveries.len(), 6, "each result recorded");
}

async fn another_amount_is_held_for_review(h: Harness) {
    let cart_id = opayo_cart(&h).await;

    let response = back(&h, &crypt("OK", &cart_id, VPS_TX_ID, "1,234.56")).await;

    assert_eq!(response.status(), 200);
    assert!(body_text(&response).contains("being checked"));
    let record = h.record(&cart_id).await;
    assert_eq!(record.cart.status, CartStatus::Pending);
    assert_eq!(
        record.payments[0].status,
        PaymentStatus::Review(ReviewReason::AmountMismatch)
    );
    assert_eq!(record.payments[0].amount, "1,234.56");
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
}

async fn a_second_transaction_for_a_paid_cart_is_a_double_payment(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    back(&h, &crypt("OK", &cart_id, VPS_TX_ID, "14.99")).await;

    let other = "{5A1C2B3D-0000-4000-8000-00000000000B}";
    let response = back(&h, &crypt("OK", &cart_id, other, "14.99")).await;

    assert!(body_text(&response).contains("Thank you"));
    let record = h.record(&cart_id).await;
    assert_eq!(record.cart.paid_by.unwrap().as_str(), VPS_TX_ID);
    let double = record
        .payments
        .iter()
        .find(|p| p.trans_id.as_str() == other);
    assert_eq!(double.unwrap().status, PaymentStatus::DoublePayment);
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1);
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
}

async fn crypts_we_did_not_make_get_a_400_page_and_one_alert_an_hour(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    // Cut short by a block, the crypt ends in text where the padding was: never valid.
    let good = crypt("OK", &cart_id, VPS_TX_ID, "14.99");
    let tampered = good[..good.len() - 32].to_owned();
    // Fixed content, so whether the wrong key happens to leave valid padding is settled.
    let other_vendor = ReturnFields::parse(b"Status=OK&VendorTxCode=c0ffee&VPSTxId={X}&Amount=1")
        .unwrap()
        .crypt(&EncryptionPassword::new("another-16-bytes").unwrap())
        .unwrap();

    for crypt in [tampered.as_str(), other_vendor.as_str(), "@ZZ", ""] {
        let response = back(&h, crypt).await;
        assert_eq!(response.status(), 400, "{crypt}");
        assert!(body_text(&response).contains("not recognised"));
    }

    assert_eq!(h.record(&cart_id).await.cart.status, CartStatus::Pending);
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    assert_eq!(deliveries.len(), 4);
    assert!(
        deliveries
            .iter()
            .all(|d| d.outcome == "forbidden:bad_crypt")
    );
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);
    assert_eq!(h.sent().len(), 1, "no mail per delivery");
}

on_both_stores!(env = OPAYO;
    ten_refreshes_of_one_ok_pay_once,
    an_abort_cancels_without_any_mail,
    refused_and_unfinished_payments_leave_the_cart_open_without_mail,
    another_amount_is_held_for_review,
    a_second_transaction_for_a_paid_cart_is_a_double_payment,
    crypts_we_did_not_make_get_a_400_page_and_one_alert_an_hour,
);
