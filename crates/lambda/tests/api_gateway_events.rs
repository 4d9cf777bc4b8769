//! Real API Gateway HTTP API (payload v2) events through the Lambda adapter to the shared
//! handlers, on the embedded store.

mod support;

use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use time::macros::datetime;

use selectpay_app::{App, SystemClock};
use selectpay_domain::cart::{Cart, CartStatus};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{Order, Shopper};
use selectpay_domain::ports::Store;
use selectpay_domain::render::Templates;
use selectpay_embedded::{OutboxMailer, SqliteStore};
use selectpay_lambda::apigw::handle_event;

struct Deployed {
    app: App,
    store: Arc<SqliteStore>,
    outbox: tempfile::TempDir,
}

fn deployed() -> Deployed {
    let config = support::dev_config();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let outbox = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(
        outbox.path(),
        EmailAddress::parse("orders@shop.example").unwrap(),
    );
    let app = App::new(
        config,
        Templates::builtin(),
        store.clone(),
        Arc::new(mailer),
        Arc::new(SystemClock),
    );
    Deployed { app, store, outbox }
}

impl Deployed {
    async fn cart(&self, id: &str) {
        let gbp = Currency::parse("GBP").unwrap();
        let cart = Cart {
            id: CartId::parse(id).unwrap(),
            order: Order {
                amount: Money::parse("14.99", gbp).unwrap(),
                description: "Test Item".into(),
                shopper: Shopper::default(),
                custom_fields: Vec::new(),
                future_pay: None,
                gateway: Gateway::WorldPay,
            },
            status: CartStatus::Pending,
            paid_by: None,
            created_at: datetime!(2026-11-22 10:00 UTC),
        };
        self.store.insert_cart(&cart).await.unwrap();
    }

    async fn status(&self, id: &str) -> CartStatus {
        let id = CartId::parse(id).unwrap();
        self.store.cart(&id).await.unwrap().unwrap().cart.status
    }

    async fn send(&self, fixture: &str) -> ApiGatewayV2httpResponse {
        let path = format!("{}/tests/events/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let event: ApiGatewayV2httpRequest =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        handle_event(&self.app, event).await
    }

    fn receipt(&self) -> String {
        let entry = std::fs::read_dir(self.outbox.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().contains("-receipt-"))
            .expect("a receipt in the outbox");
        std::fs::read_to_string(entry.path()).unwrap()
    }
}

fn text(response: &ApiGatewayV2httpResponse) -> &str {
    match &response.body {
        Some(Body::Text(text)) => text,
        other => panic!("expected a text body, got {other:?}"),
    }
}

/// The receipt's text part is quoted-printable UTF-8: "Zoë Müller" as written on the wire.
const ZOE_IN_QUOTED_PRINTABLE: &str = "Zo=C3=AB M=C3=BCller";

#[tokio::test]
async fn a_base64_latin1_form_body_pays_and_keeps_the_accents() {
    let aws = deployed();
    aws.cart("cart-b64").await;

    let response = aws.send("callback_base64_latin1.json").await;

    assert_eq!(response.status_code, 200);
    assert!(!response.is_base64_encoded);
    assert_eq!(response.headers["content-type"], "text/html; charset=utf-8");
    assert!(text(&response).contains("<wpdisplay item=banner>"));
    assert!(text(&response).contains("Thank you, Zoë Müller"));
    assert_eq!(aws.status("cart-b64").await, CartStatus::Paid);
    assert!(aws.receipt().contains(ZOE_IN_QUOTED_PRINTABLE));
}

#[tokio::test]
async fn a_plain_form_body_pays() {
    let aws = deployed();
    aws.cart("cart-plain").await;
    assert_eq!(aws.send("callback_plain_body.json").await.status_code, 200);
    assert_eq!(aws.status("cart-plain").await, CartStatus::Paid);
}

#[tokio::test]
async fn a_query_string_callback_pays() {
    let aws = deployed();
    aws.cart("cart-query").await;
    let response = aws.send("callback_query_string.json").await;
    assert_eq!(response.status_code, 200);
    assert!(text(&response).contains("Zoë Müller"));
    assert_eq!(aws.status("cart-query").await, CartStatus::Paid);
}

#[tokio::test]
async fn a_mixed_case_content_type_is_understood() {
    let aws = deployed();
    aws.cart("cart-mixed").await;
    let response = aws.send("callback_mixed_case_content_type.json").await;
    assert!(text(&response).contains("Zoë Müller"));
    assert_eq!(aws.status("cart-mixed").await, CartStatus::Paid);
}

#[tokio::test]
async fn a_missing_content_type_falls_back_to_latin1() {
    let aws = deployed();
    aws.cart("cart-none").await;
    let response = aws.send("callback_no_content_type.json").await;
    assert!(text(&response).contains("Zoë Müller"));
    assert_eq!(aws.status("cart-none").await, CartStatus::Paid);
}

#[tokio::test]
async fn invalid_base64_is_a_clear_400_not_a_crash() {
    let aws = deployed();
    let response = aws.send("callback_invalid_base64.json").await;
    assert_eq!(response.status_code, 400);
    assert!(text(&response).contains("not valid base64"));
}

#[tokio::test]
async fn purchase_and_cart_events_reach_the_purchase_api() {
    let aws = deployed();
    let response = aws.send("purchase.json").await;
    assert_eq!(response.status_code, 201);
    let token: serde_json::Value = serde_json::from_str(text(&response)).unwrap();
    assert_eq!(token["fields"]["name"], "Zoë Müller");

    aws.cart("cart-b64").await;
    let response = aws.send("get_cart.json").await;
    assert_eq!(response.status_code, 200);
    let cart: serde_json::Value = serde_json::from_str(text(&response)).unwrap();
    assert_eq!(cart["status"], "pending");
}

#[tokio::test]
async fn the_same_event_twice_gets_the_same_page() {
    let aws = deployed();
    aws.cart("cart-b64").await;
    let first = aws.send("callback_base64_latin1.json").await;
    let again = aws.send("callback_base64_latin1.json").await;
    assert_eq!(text(&first), text(&again));
}
