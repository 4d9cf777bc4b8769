//! The dashboard over HTTP: search by cart id and transaction id, the cart page beside the
//! unchanged JSON API, and the API key a non-loopback server asks for.

mod support;

use std::process::Command;

use reqwest::header::{ACCEPT, LOCATION, WWW_AUTHENTICATE};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use support::{BINARY, Server};

fn no_redirects() -> Client {
    selectpay_worldpay::http_client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_a_cart_by_its_id_or_its_transaction() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(["--data-dir", data_dir.path().to_str().unwrap()]);
    let cart_id = server
        .purchase(serde_json::json!({"amount": "14.99", "currency": "GBP", "description": "Tea"}))
        .await;
    let simulate = Command::new(BINARY)
        .args(["simulate", "pay", &cart_id, "--server", &server.url])
        .args(["--trans-id", "424242"])
        .output()
        .unwrap();
    assert!(simulate.status.success());

    let client = no_redirects();
    for query in [cart_id.as_str(), "424242"] {
        let found = client
            .get(format!("{}/?q={query}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(found.status(), StatusCode::SEE_OTHER, "{query}");
        assert_eq!(found.headers()[LOCATION], format!("/carts/{cart_id}"));
    }
    let missing = client
        .get(format!("{}/?q=nothing-like-it", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::OK);
    assert!(missing.text().await.unwrap().contains("id=\"not-found\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_get_the_cart_page_and_programs_the_same_json() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(["--data-dir", data_dir.path().to_str().unwrap()]);
    let cart_id = server.buy_and_pay_three_times_at_once().await;
    let url = format!("{}/carts/{cart_id}", server.url);
    let client = selectpay_worldpay::http_client::client();
    let page = client
        .get(&url)
        .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("id=\"timeline\""));
    let json: serde_json::Value = client
        .get(&url)
        .header(ACCEPT, "application/json")
        .bearer_auth("dev-api-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json, server.cart(&cart_id).await);
    assert_eq!(json["status"], "paid");
    let without_key = client.get(&url).send().await.unwrap();
    assert_eq!(without_key.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_loopback_the_dashboard_asks_for_the_api_key() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start([
        "--host",
        "0.0.0.0",
        "--data-dir",
        data_dir.path().to_str().unwrap(),
    ]);
    let front = server.url.replace("0.0.0.0", "127.0.0.1") + "/";
    let client = selectpay_worldpay::http_client::client();
    let refused = client.get(&front).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(
        refused.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic ")
    );
    let wrong = client
        .get(&front)
        .basic_auth("me", Some("not-the-key"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let shown = client
        .get(&front)
        .basic_auth("me", Some("dev-api-key"))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    assert!(shown.text().await.unwrap().contains("Needs a person"));
}
