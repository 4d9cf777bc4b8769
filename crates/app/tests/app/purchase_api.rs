//! `POST /purchase` and `GET /carts/{cartId}`.

use crate::support;

use bytes::Bytes;
use http::Request;
use serde_json::Value;

use selectpay_domain::token::md5_signature;
use support::*;

pub(crate) fn purchase(body: &str, api_key: Option<&str>, accept: &str) -> Request<Bytes> {
    let mut request = Request::post("/purchase")
        .header("content-type", "application/json")
        .header("accept", accept);
    if let Some(key) = api_key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.body(Bytes::from(body.to_owned())).unwrap()
}

/// £0.00 now, then £9.99 a month from 1 December 2026, twelve times.
const TEA_CLUB: &str = r#"{"amount":"0.00","currency":"GBP","description":"Tea club",
    "futurePay":{"type":"regular","option":0,"startDate":"2026-12-01",
                 "interval":{"unit":"month","mult":1},"noOfPayments":12,"normalAmount":"9.99"}}"#;

/// An authorised purchase of `body` that asks for the token as JSON.
pub(crate) fn order(body: &str) -> Request<Bytes> {
    purchase(body, Some(API_KEY), "application/json")
}

pub(crate) fn json(response: &http::Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

pub(crate) const ORDER: &str = r#"{"amount":"14.99","currency":"GBP","description":"Tea for two",
    "shopper":{"name":"Zoë Müller","email":"zoe@example.com","address1":"1 High St","town":"Bath","postcode":"BA1 1AA","country":"GB"},
    "fields":{"MC_orderRef":"A-1"}}"#;

#[tokio::test]
async fn creates_a_cart_and_its_purchase_token() {
    let h = Harness::test_mode();

    let response = h.request(order(ORDER)).await;

    assert_eq!(response.status(), 201);
    let token = json(&response);
    let cart_id = token["cartId"].as_str().unwrap();
    assert_eq!(cart_id.len(), 32);
    assert_eq!(
        token["action"],
        "https://secure-test.worldpay.com/wcc/purchase"
    );
    assert_eq!(token["method"], "POST");
    let fields = &token["fields"];
    assert_eq!(fields["instId"], INSTALLATION);
    assert_eq!(fields["cartId"], cart_id);
    assert_eq!(fields["amount"], "14.99");
    assert_eq!(fields["currency"], "GBP");
    assert_eq!(fields["desc"], "Tea for two");
    assert_eq!(fields["testMode"], "100");
    assert_eq!(fields["name"], "Zoë Müller");
    assert_eq!(fields["MC_orderRef"], "A-1");
    assert!(
        fields.get("signature").is_none(),
        "no MD5 secret configured"
    );
    assert_eq!(
        h.record(cart_id).await.cart.order.amount.minor_units(),
        1499
    );
}

#[tokio::test]
async fn cart_ids_differ_between_purchases() {
    let h = Harness::test_mode();
    let a = json(&h.request(order(ORDER)).await);
    let b = json(&h.request(order(ORDER)).await);
    assert_ne!(a["cartId"], b["cartId"]);
}

#[tokio::test]
async fn signs_the_token_when_an_md5_secret_is_configured() {
    let h = Harness::with_env(&[
        ("SELECTPAY_MD5_SECRET", "secret"),
        (
            "SELECTPAY_SIGNATURE_FIELDS",
            "amount:currency:instId:cartId",
        ),
    ]);

    let token = json(&h.request(order(ORDER)).await);

    let fields = &token["fields"];
    assert_eq!(fields["signatureFields"], "amount:currency:instId:cartId");
    let cart_id = fields["cartId"].as_str().unwrap();
    assert_eq!(
        fields["signature"],
        md5_signature("secret", &["14.99", "GBP", INSTALLATION, cart_id])
    );
}

#[tokio::test]
async fn live_mode_posts_to_the_live_gateway() {
    let h = Harness::live_mode();
    let token = json(&h.request(order(ORDER)).await);
    assert_eq!(token["action"], "https://secure.worldpay.com/wcc/purchase");
    assert_eq!(token["fields"]["testMode"], "0");
}

#[tokio::test]
async fn answers_browsers_with_a_form_page() {
    let h = Harness::test_mode();
    let response = h.request(purchase(ORDER, Some(API_KEY), "text/html")).await;
    assert_eq!(response.status(), 201);
    let page = body_text(&response);
    assert!(
        page.contains(
            r#"<form action="https://secure-test.worldpay.com/wcc/purchase" method="post""#
        ),
        "{page}"
    );
    assert!(page.contains(r#"name="amount" value="14.99""#));
    assert!(page.contains(r#"<button type="submit">"#));
}

#[tokio::test]
async fn escapes_shopper_data_in_the_form_page() {
    let h = Harness::test_mode();
    let body = r#"{"amount":"1.00","currency":"GBP","description":"\"><script>x</script>"}"#;
    let page = body_text(&h.request(purchase(body, Some(API_KEY), "text/html")).await);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&quot;&gt;&lt;script&gt;"));
}

#[tokio::test]
async fn refuses_requests_without_the_api_key() {
    let h = Harness::test_mode();
    for key in [None, Some("wrong"), Some("")] {
        let response = h.request(purchase(ORDER, key, "application/json")).await;
        assert_eq!(response.status(), 401);
    }
    assert!(h.inspect().recent(10).await.unwrap().carts.is_empty());
}

#[tokio::test]
async fn names_each_bad_field() {
    let h = Harness::test_mode();
    let bad =
        r#"{"amount":"14.999","currency":"gbp","shopper":{"email":"x"},"fields":{"colour":"red"}}"#;

    let response = h.request(order(bad)).await;

    assert_eq!(response.status(), 422);
    let body = json(&response);
    let fields = body["fields"].as_object().unwrap();
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "amount",
            "currency",
            "description",
            "fields.colour",
            "shopper.email"
        ]
    );
    assert!(h.inspect().recent(10).await.unwrap().carts.is_empty());
}

#[tokio::test]
async fn rejects_floats_and_malformed_json() {
    let h = Harness::test_mode();
    let float = r#"{"amount":14.99,"currency":"GBP","description":"x"}"#;
    let response = h.request(order(float)).await;
    assert_eq!(response.status(), 422);
    assert!(
        json(&response)["fields"]["amount"]
            .as_str()
            .unwrap()
            .contains("string")
    );
    let response = h.request(order("{not json")).await;
    assert_eq!(response.status(), 422);
}

fn get_cart(cart_id: &str, api_key: Option<&str>) -> Request<Bytes> {
    let mut request = Request::get(format!("/carts/{cart_id}"));
    if let Some(key) = api_key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.body(Bytes::new()).unwrap()
}

/// `GET /carts/{cart_id}` with the API key, which must answer 200: the cart as JSON.
pub(crate) async fn shown_cart(h: &Harness, cart_id: &str) -> Value {
    let response = h.request(get_cart(cart_id, Some(API_KEY))).await;
    assert_eq!(response.status(), 200);
    json(&response)
}

#[tokio::test]
async fn the_carts_api_shows_status_and_payments() {
    let h = Harness::test_mode();
    let token = json(&h.request(order(ORDER)).await);
    let cart_id = token["cartId"].as_str().unwrap().to_owned();

    let pending = json(&h.request(get_cart(&cart_id, Some(API_KEY))).await);
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["payments"].as_array().unwrap().len(), 0);

    h.send(&payment(&cart_id, "14.99")).await;
    let paid = json(&h.request(get_cart(&cart_id, Some(API_KEY))).await);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paidBy"], "12227758");
    assert_eq!(paid["payments"][0]["status"], "accepted");
    assert_eq!(paid["payments"][0]["amount"], "14.99");
    assert_eq!(paid["mails"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_carts_api_needs_the_key_and_a_known_cart() {
    let h = Harness::test_mode();
    h.cart("c1", "1.00", "GBP").await;
    assert_eq!(h.request(get_cart("c1", None)).await.status(), 401);
    assert_eq!(
        h.request(get_cart("nope", Some(API_KEY))).await.status(),
        404
    );
    assert_eq!(h.request(get_cart("c1", Some(API_KEY))).await.status(), 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_refused() {
    let h = Harness::test_mode();
    let delete = Request::delete("/purchase").body(Bytes::new()).unwrap();
    assert_eq!(h.request(delete).await.status(), 405);
    let other = Request::get("/admin").body(Bytes::new()).unwrap();
    assert_eq!(h.request(other).await.status(), 404);
    let put_callback = Request::put("/callback").body(Bytes::new()).unwrap();
    assert_eq!(h.request(put_callback).await.status(), 405);
    // Opayo's return is a route only where Opayo is offered.
    let opayo_return = || Request::post("/return/opayo").body(Bytes::new()).unwrap();
    assert_eq!(h.request(opayo_return()).await.status(), 404);
    let with_opayo = Harness::with_env(crate::opayo_returns::OPAYO);
    assert_eq!(with_opayo.request(opayo_return()).await.status(), 405);
}

#[tokio::test]
async fn a_futurepay_agreement_goes_into_the_token() {
    let h = Harness::test_mode();
    let response = h.request(order(TEA_CLUB)).await;

    assert_eq!(response.status(), 201, "{}", body_text(&response));
    let fields = &json(&response)["fields"];
    assert_eq!(fields["amount"], "0.00");
    assert_eq!(fields["futurePayType"], "regular");
    assert_eq!(fields["option"], "0");
    assert_eq!(fields["startDate"], "2026-12-01");
    assert_eq!(fields["noOfPayments"], "12");
    assert_eq!(fields["intervalUnit"], "3");
    assert_eq!(fields["intervalMult"], "1");
    assert_eq!(fields["normalAmount"], "9.99");
    let cart_id = json(&response)["cartId"].as_str().unwrap().to_owned();
    assert!(h.record(&cart_id).await.cart.order.future_pay.is_some());
}

/// Signed, the plan is the shop's: its fields follow the configured ones in the signature.
#[tokio::test]
async fn a_signed_token_covers_the_plan_too() {
    let h = Harness::with_env(&[("SELECTPAY_MD5_SECRET", "secret")]);
    let response = h.request(order(TEA_CLUB)).await;

    assert_eq!(response.status(), 201, "{}", body_text(&response));
    let fields = &json(&response)["fields"];
    assert_eq!(
        fields["signatureFields"],
        "instId:amount:currency:cartId:futurePayType:option:startDate:noOfPayments:\
         intervalUnit:intervalMult:normalAmount"
    );
    let cart_id = fields["cartId"].as_str().unwrap();
    assert_eq!(
        fields["signature"],
        md5_signature(
            "secret",
            &[
                INSTALLATION,
                "0.00",
                "GBP",
                cart_id,
                "regular",
                "0",
                "2026-12-01",
                "12",
                "3",
                "1",
                "9.99"
            ]
        )
    );
}

#[tokio::test]
async fn futurepay_rules_are_checked_field_by_field() {
    let h = Harness::test_mode();
    let body = r#"{"amount":"1.00","currency":"GBP","description":"Tea club",
        "futurePay":{"type":"regular","option":2,"startDate":"2026-11-22",
                     "interval":{"unit":"week","mult":1},"normalAmount":"9.99"}}"#;

    let response = h.request(order(body)).await;

    assert_eq!(response.status(), 422);
    let body = json(&response);
    let names: Vec<&str> = body["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "futurePay.interval",
            "futurePay.normalAmount",
            "futurePay.startDate"
        ]
    );
}

#[tokio::test]
async fn a_limited_agreement_with_a_length_goes_into_the_token() {
    let h = Harness::test_mode();
    let body = r#"{"amount":"5.00","currency":"GBP","description":"Top-ups",
        "futurePay":{"type":"limited","option":0,"amountLimit":"50.00",
                     "length":{"unit":"year","mult":1}}}"#;
    let response = h.request(order(body)).await;
    assert_eq!(response.status(), 201, "{}", body_text(&response));
    let fields = &json(&response)["fields"];
    assert_eq!(fields["futurePayType"], "limited");
    assert_eq!(fields["amountLimit"], "50.00");
    assert_eq!(fields["lengthUnit"], "4");
}

#[tokio::test]
async fn nothing_to_charge_now_needs_an_agreement() {
    let h = Harness::test_mode();
    let body = r#"{"amount":"0.00","currency":"GBP","description":"x",
        "futurePay":{"type":"weekly"}}"#;
    let response = h.request(order(body)).await;
    assert_eq!(response.status(), 422);
    let body = json(&response);
    let fields = body["fields"].as_object().unwrap();
    assert!(fields.contains_key("futurePay.type"));
    assert!(
        fields.contains_key("amount"),
        "no valid agreement, so zero is refused"
    );
}
