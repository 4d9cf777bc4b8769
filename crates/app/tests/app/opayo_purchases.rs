//! `POST /purchase` for a cart paid through Opayo Form: its form and crypt, the default
//! gateway, and the orders Opayo would refuse, refused before any cart is stored.

use selectpay_domain::gateway::Gateway;
use selectpay_domain::opayo::{EncryptionPassword, decrypt};

use crate::purchase_api::{ORDER, json, order};
use crate::support::*;

fn opayo_harness() -> Harness {
    Harness::with_env(&[("SELECTPAY_GATEWAYS", "worldpay,opayo")])
}

fn with_gateway(gateway: &str) -> String {
    ORDER.replacen('{', &format!(r#"{{"gateway":"{gateway}","#), 1)
}

#[tokio::test]
async fn an_opayo_cart_gets_opayos_form_with_its_order_in_the_crypt() {
    let h = opayo_harness();

    let response = h.request(order(&with_gateway("opayo"))).await;

    assert_eq!(response.status(), 201);
    let token = json(&response);
    let cart_id = token["cartId"].as_str().unwrap();
    assert_eq!(
        token["action"],
        "https://sandbox.opayo.eu.elavon.com/gateway/service/vspform-register.vsp"
    );
    let fields = &token["fields"];
    assert_eq!(fields["VPSProtocol"], "4.00");
    assert_eq!(fields["TxType"], "PAYMENT");
    assert_eq!(fields["Vendor"], "selectpaydev");
    let password = EncryptionPassword::new("dev-opayo-16-key").unwrap();
    let plain = decrypt(fields["Crypt"].as_str().unwrap(), &password).unwrap();
    let (plain, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&plain);
    let return_url = "https://shop.example/return/opayo";
    for expected in [
        format!("VendorTxCode={cart_id}&Amount=14.99&Currency=GBP&Description=Tea for two"),
        format!("SuccessURL={return_url}&FailureURL={return_url}"),
        "BillingSurname=Müller&BillingFirstnames=Zoë&BillingAddress1=1 High St".to_owned(),
        "&SendEMail=2&VendorEMail=merchant@shop.example".to_owned(),
    ] {
        assert!(plain.contains(&expected), "{expected} not in {plain}");
    }
    let cart = h.record(cart_id).await.cart;
    assert_eq!(cart.order.gateway, Gateway::Opayo);
}

#[tokio::test]
async fn the_first_configured_gateway_is_the_default() {
    let h = opayo_harness();
    let token = json(&h.request(order(ORDER)).await);
    assert_eq!(token["fields"]["instId"], INSTALLATION);
}

#[tokio::test]
async fn refuses_a_gateway_the_shop_does_not_offer_or_an_order_opayo_would_refuse() {
    let worldpay_only = Harness::test_mode();
    let response = worldpay_only.request(order(&with_gateway("opayo"))).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        json(&response)["fields"]["gateway"],
        "is not offered by this shop"
    );

    let h = opayo_harness();
    let unknown = h.request(order(&with_gateway("paypal"))).await;
    assert_eq!(unknown.status(), 422);
    assert!(json(&unknown)["fields"]["gateway"].is_string());

    let short = with_gateway("opayo")
        .replace(r#""town":"Bath","#, "")
        .replace(r#""address1":"1 High St","#, "")
        .replace("Zoë Müller", "Zoë");
    let response = h.request(order(&short)).await;
    assert_eq!(response.status(), 422);
    let fields = &json(&response)["fields"];
    assert_eq!(fields["shopper.town"], "is required for Opayo");
    assert_eq!(fields["shopper.address1"], "is required for Opayo");
    assert_eq!(
        fields["shopper.name"],
        "needs a first name and a surname for Opayo"
    );
}
