//! Real API Gateway HTTP API (payload v2) events, and a REST API (v1) and an ALB one, through
//! `lambda_http` to the shared handlers, on the embedded store.

use std::sync::Arc;

use lambda_http::request::LambdaRequest;
use lambda_http::{Body, Response};
use time::macros::datetime;

use selectpay_app::App;
use selectpay_domain::cart::{Cart, CartStatus};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{Order, Shopper};
use selectpay_domain::ports::Store;
use selectpay_embedded::{OutboxMailer, SqliteStore};
use selectpay_lambda::http::{handle, refuse_undecodable_body};

use crate::support::{self, fixture, request, text};

pub struct Deployed {
    app: App,
    store: Arc<SqliteStore>,
    outbox: tempfile::TempDir,
}

pub fn deployed() -> Deployed {
    deployed_with(support::dev_config())
}

pub fn deployed_with(config: selectpay_app::config::Config) -> Deployed {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let outbox = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(
        outbox.path(),
        EmailAddress::parse("orders@shop.example").unwrap(),
    );
    let app = App::builder(config)
        .build(store.clone(), Arc::new(mailer))
        .unwrap();
    Deployed { app, store, outbox }
}

impl Deployed {
    pub async fn cart(&self, id: &str) {
        self.cart_for(id, Gateway::WorldPay, Shopper::default())
            .await;
    }

    /// A pending cart of 14.99 GBP for `shopper`, sent to `gateway`.
    pub async fn cart_for(&self, id: &str, gateway: Gateway, shopper: Shopper) {
        let gbp = Currency::parse("GBP").unwrap();
        let cart = Cart {
            id: CartId::parse(id).unwrap(),
            order: Order {
                amount: Money::parse("14.99", gbp).unwrap(),
                description: "Test Item".into(),
                shopper,
                custom_fields: Vec::new(),
                future_pay: None,
                gateway,
            },
            status: CartStatus::Pending,
            paid_by: None,
            created_at: datetime!(2026-11-22 10:00 UTC),
        };
        self.store.insert_cart(&cart).await.unwrap();
    }

    pub async fn status(&self, id: &str) -> CartStatus {
        let id = CartId::parse(id).unwrap();
        self.store.cart(&id).await.unwrap().unwrap().cart.status
    }

    pub async fn send(&self, name: &str) -> Response<Body> {
        self.send_event(&fixture(name)).await
    }

    pub async fn send_event(&self, event: &str) -> Response<Body> {
        handle(request(event), |r| self.app.handle(r)).await
    }

    /// How many mails the outbox holds whose file name has `part` (a kind: `-receipt-`).
    pub fn mails(&self, part: &str) -> usize {
        std::fs::read_dir(self.outbox.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(part))
            .count()
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

/// The receipt's text part is quoted-printable UTF-8: "Zoë Müller" as written on the wire.
const ZOE_IN_QUOTED_PRINTABLE: &str = "Zo=C3=AB M=C3=BCller";

#[tokio::test]
async fn a_base64_latin1_form_body_pays_and_keeps_the_accents() {
    let aws = deployed();
    aws.cart("cart-b64").await;

    let response = aws.send("callback_base64_latin1.json").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert!(text(&response).contains("<wpdisplay item=banner>"));
    assert!(text(&response).contains("Thank you, Zoë Müller"));
    assert_eq!(aws.status("cart-b64").await, CartStatus::Paid);
    assert!(aws.receipt().contains(ZOE_IN_QUOTED_PRINTABLE));
}

#[tokio::test]
async fn a_plain_form_body_pays() {
    let aws = deployed();
    aws.cart("cart-plain").await;
    assert_eq!(aws.send("callback_plain_body.json").await.status(), 200);
    assert_eq!(aws.status("cart-plain").await, CartStatus::Paid);
}

#[tokio::test]
async fn a_query_string_callback_pays() {
    let aws = deployed();
    aws.cart("cart-query").await;
    let response = aws.send("callback_query_string.json").await;
    assert_eq!(response.status(), 200);
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

/// API Gateway and ALBs encode what they received, so only a hand-made event can carry this.
/// It is refused before `lambda_http` converts it (which would panic, and the release
/// profile aborts on a panic); the runtime reports that invocation as an error and takes the
/// next event (infra/runtime_emulator.py runs a built bootstrap through exactly that).
#[test]
fn invalid_base64_is_refused_before_any_handler_runs() {
    let event = |name| serde_json::from_str::<LambdaRequest>(&fixture(name)).unwrap();
    let refused = refuse_undecodable_body(&event("callback_invalid_base64.json")).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("marked base64 but is not base64")
    );
    for encoded in [
        "callback_base64_latin1.json",
        "callback_rest_api_v1.json",
        "callback_alb.json",
    ] {
        assert!(
            refuse_undecodable_body(&event(encoded)).is_ok(),
            "{encoded}"
        );
    }
}

#[tokio::test]
async fn a_rest_api_v1_event_pays_and_keeps_the_accents() {
    let aws = deployed();
    aws.cart("cart-v1").await;
    let response = aws.send("callback_rest_api_v1.json").await;
    assert_eq!(response.status(), 200);
    assert!(text(&response).contains("Thank you, Zoë Müller"));
    assert_eq!(aws.status("cart-v1").await, CartStatus::Paid);
}

#[tokio::test]
async fn an_alb_event_pays_and_keeps_the_accents() {
    let aws = deployed();
    aws.cart("cart-alb").await;
    let response = aws.send("callback_alb.json").await;
    assert_eq!(response.status(), 200);
    assert!(text(&response).contains("Thank you, Zoë Müller"));
    assert_eq!(aws.status("cart-alb").await, CartStatus::Paid);
}

#[tokio::test]
async fn purchase_and_cart_events_reach_the_purchase_api() {
    let aws = deployed();
    let response = aws.send("purchase.json").await;
    assert_eq!(response.status(), 201);
    let token: serde_json::Value = serde_json::from_str(text(&response)).unwrap();
    assert_eq!(token["fields"]["name"], "Zoë Müller");

    aws.cart("cart-b64").await;
    let response = aws.send("get_cart.json").await;
    assert_eq!(response.status(), 200);
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
