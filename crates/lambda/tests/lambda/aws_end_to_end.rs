//! The Lambda handlers on the AWS adapters: API Gateway events in, DynamoDB Local as the
//! store and the SES v2 emulator as the mail service. `./infra/test.sh` starts both.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use selectpay_app::{App, SystemClock};
use selectpay_aws::SesMailer;
use selectpay_aws::testing::{
    SES_ENDPOINT, fresh_store, local_ses_client, mails_about, require_env,
};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::ports::Clock;
use selectpay_lambda::http::handle;
use selectpay_worldpay::gateway_simulator::{Action, SimulatedPayment, encode_form};

use crate::support::{self, text};

async fn deployed() -> Arc<App> {
    deployed_with(local_ses_client().await, Arc::new(SystemClock)).await
}

async fn deployed_with(ses: aws_sdk_sesv2::Client, clock: Arc<dyn Clock>) -> Arc<App> {
    let mailer = SesMailer::new(ses, EmailAddress::parse("orders@shop.example").unwrap());
    Arc::new(
        App::builder(support::dev_config())
            .clock(clock)
            .build(Arc::new(fresh_store().await), Arc::new(mailer))
            .unwrap(),
    )
}

fn event(method: &str, path: &str, headers: Value, body: Option<String>) -> Request {
    support::request(&json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "195.35.90.111"},
            "requestId": "test", "stage": "$default", "timeEpoch": 0
        },
        "body": body,
        "isBase64Encoded": true
    })
    .to_string())
}

pub(crate) async fn purchase(app: &App, amount: &str) -> String {
    let body = json!({"amount": amount, "currency": "GBP", "description": "Tea for two",
        "shopper": {"name": "Zoë Müller", "email": "zoe@example.com"}});
    let response = handle(
        event(
            "POST",
            "/purchase",
            json!({"content-type": "application/json", "authorization": "Bearer dev-api-key"}),
            Some(STANDARD.encode(body.to_string())),
        ),
        |request| app.handle_purchase_api(request),
    )
    .await;
    assert_eq!(response.status(), 201, "{}", text(&response));
    let token: Value = serde_json::from_str(text(&response)).unwrap();
    token["cartId"].as_str().unwrap().to_owned()
}

async fn cart(app: &App, cart_id: &str) -> Value {
    let path = format!("/carts/{cart_id}");
    let response = handle(
        event(
            "GET",
            &path,
            json!({"authorization": "Bearer dev-api-key"}),
            None,
        ),
        |request| app.handle_purchase_api(request),
    )
    .await;
    serde_json::from_str(text(&response)).unwrap()
}

pub(crate) fn gateway(action: Action, cart_id: &str, amount: &str) -> SimulatedPayment {
    SimulatedPayment {
        action,
        installation_id: "38290".into(),
        callback_password: Some("dev-callback-password".into()),
        cart_id: cart_id.into(),
        amount: amount.into(),
        currency: "GBP".into(),
        test_mode: "100".into(),
        trans_id: format!("t-{cart_id}"),
        trans_time_ms: 1_795_341_600_000,
        name: "Zoë Müller".into(),
        email: "zoe@example.com".into(),
        description: "Tea for two".into(),
        future_pay_id: None,
    }
}

pub(crate) async fn callback(app: &App, payment: &SimulatedPayment) -> Response<Body> {
    let body = encode_form(&payment.fields(), encoding_rs::WINDOWS_1252);
    handle(
        event(
            "POST",
            "/callback",
            json!({"content-type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}),
            Some(STANDARD.encode(body)),
        ),
        |request| app.handle_callbacks(request),
    )
    .await
}

#[tokio::test]
async fn purchase_pay_and_the_carts_api_shows_it_paid_with_one_receipt() {
    let app = deployed().await;
    let cart_id = purchase(&app, "14.99").await;

    let response = callback(&app, &gateway(Action::Pay, &cart_id, "14.99")).await;

    assert_eq!(response.status(), 200);
    assert!(text(&response).contains("Thank you, Zoë Müller"));
    let cart = cart(&app, &cart_id).await;
    assert_eq!(cart["status"], "paid");
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);
    let mails = mails_about(&cart_id).await;
    let receipts: Vec<_> = mails
        .iter()
        .filter(|m| m.destination.to == ["zoe@example.com"])
        .collect();
    assert_eq!(receipts.len(), 1);
    assert!(
        receipts[0]
            .body
            .text
            .as_deref()
            .unwrap()
            .contains("Dear Zoë Müller")
    );
    assert_eq!(mails.len(), 2, "receipt and order notice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_identical_callbacks_pay_once_and_mail_once() {
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let app = deployed_with(local_ses_client().await, clock.clone()).await;
    let cart_id = purchase(&app, "14.99").await;
    let payment = gateway(Action::Pay, &cart_id, "14.99");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, payment) = (Arc::clone(&app), payment.clone());
            tokio::spawn(async move { callback(&app, &payment).await })
        })
        .collect();
    let mut pages = Vec::new();
    for task in tasks {
        let response = task.await.unwrap();
        assert_eq!(response.status(), 200, "{}", text(&response));
        pages.push(text(&response).to_owned());
    }

    assert!(pages.iter().all(|p| *p == pages[0]), "identical pages");
    let cart = cart(&app, &cart_id).await;
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);
    // On a busy machine the winner's mail may miss the callback's 1 s budget: its sends go
    // on after the reply. Once they are over and any lease has expired, redelivery sends
    // whatever did not go, and nothing twice.
    app.finish_sends().await;
    *clock.0.lock().unwrap() += time::Duration::minutes(3);
    app.redeliver_pending_mail(100).await.unwrap();
    let mails = mails_about(&cart_id).await;
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.destination.to == ["zoe@example.com"])
            .count(),
        1,
        "one receipt"
    );
    assert_eq!(mails.len(), 2, "one receipt and one order notice");
}

#[tokio::test]
async fn a_cancel_cancels_without_mail() {
    let app = deployed().await;
    let cart_id = purchase(&app, "14.99").await;

    let response = callback(&app, &gateway(Action::Cancel, &cart_id, "14.99")).await;

    assert_eq!(response.status(), 200);
    assert!(text(&response).contains("Payment cancelled"));
    assert_eq!(cart(&app, &cart_id).await["status"], "cancelled");
    assert!(mails_about(&cart_id).await.is_empty());
}

#[tokio::test]
async fn a_tampered_amount_is_held_for_review() {
    let app = deployed().await;
    let cart_id = purchase(&app, "14.99").await;

    let response = callback(&app, &gateway(Action::Pay, &cart_id, "0.01")).await;

    assert_eq!(response.status(), 200);
    assert!(text(&response).contains("being checked"));
    let cart = cart(&app, &cart_id).await;
    assert_eq!(cart["status"], "pending");
    assert_eq!(cart["payments"][0]["status"], "review:amount_mismatch");
    let mails = mails_about(&cart_id).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].destination.to, ["merchant@shop.example"]);
}

/// An SES that hangs: while stalled it takes connections and never answers, and nothing
/// reaches the emulator; once recovered it forwards each new connection to the emulator.
struct StallingProxy {
    url: String,
    stalled: Arc<AtomicBool>,
}

async fn stalling_proxy() -> StallingProxy {
    let target = require_env(SES_ENDPOINT)
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stalled = Arc::new(AtomicBool::new(true));
    let stalling = Arc::clone(&stalled);
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (stalled, target) = (stalling.load(Ordering::SeqCst), target.clone());
            tokio::spawn(async move {
                if stalled {
                    // Swallow the request until the client gives up on it.
                    let mut sink = [0u8; 4096];
                    while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
                } else if let Ok(mut ses) = TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut ses).await;
                }
            });
        }
    });
    StallingProxy { url, stalled }
}

struct TestClock(Mutex<OffsetDateTime>);

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_ses_stalled_callbacks_answer_at_once_and_each_mail_goes_once_after() {
    let proxy = stalling_proxy().await;
    // The deployed client (one try, bounded), aimed at the proxy.
    let deployed_client = local_ses_client().await;
    let config = deployed_client
        .config()
        .to_builder()
        .endpoint_url(&proxy.url)
        .build();
    let clock = Arc::new(TestClock(Mutex::new(OffsetDateTime::now_utc())));
    let app = deployed_with(aws_sdk_sesv2::Client::from_conf(config), clock.clone()).await;
    let mut carts = Vec::new();
    for _ in 0..10 {
        carts.push(purchase(&app, "14.99").await);
    }

    let callbacks: Vec<_> = carts
        .iter()
        .map(|cart_id| {
            let (app, payment) = (Arc::clone(&app), gateway(Action::Pay, cart_id, "14.99"));
            tokio::spawn(async move {
                let started = Instant::now();
                let status = callback(&app, &payment).await.status().as_u16();
                (status, started.elapsed())
            })
        })
        .collect();
    for callback in callbacks {
        let (status, took) = callback.await.unwrap();
        assert_eq!(status, 200, "the payment is committed");
        assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
    }
    for cart_id in &carts {
        assert!(mails_about(cart_id).await.is_empty(), "SES is stalled");
    }

    proxy.stalled.store(false, Ordering::SeqCst);
    // The sends the callbacks left behind give up (SES's timeout) and release their mail.
    app.finish_sends().await;
    *clock.0.lock().unwrap() += time::Duration::minutes(3);
    let (a, b) = (Arc::clone(&app), Arc::clone(&app));
    let (a, b) = tokio::join!(
        tokio::spawn(async move { a.redeliver_pending_mail(100).await.unwrap() }),
        tokio::spawn(async move { b.redeliver_pending_mail(100).await.unwrap() })
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 20);
    for cart_id in &carts {
        let mails = mails_about(cart_id).await;
        assert_eq!(mails.len(), 2, "one receipt and one notice for {cart_id}");
        assert_ne!(mails[0].destination.to, mails[1].destination.to);
    }
    assert_eq!(app.redeliver_pending_mail(100).await.unwrap().sent, 0);
}
