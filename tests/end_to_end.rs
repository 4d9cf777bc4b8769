//! The `selectpay` binary as a newcomer uses it: `serve` on a free port, a purchase over
//! HTTP, `simulate pay`, then the carts API and the outbox.

mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use support::{BINARY, Server, opayo_order};

/// `selectpay serve` on the embedded store in `data_dir`.
fn serve(data_dir: &Path) -> Server {
    Server::start([OsStr::new("--data-dir"), data_dir.as_os_str()])
}

/// The cart as `selectpay cart` prints it from the store in `data_dir`.
fn inspected_cart(data_dir: &Path, cart_id: &str) -> Value {
    let inspected = Command::new(BINARY)
        .args(["cart", cart_id, "--data-dir"])
        .arg(data_dir)
        .output()
        .unwrap();
    serde_json::from_slice(&inspected.stdout).unwrap()
}

fn mails_of_kind(outbox: &Path, kind: &str) -> usize {
    std::fs::read_dir(outbox)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| {
                    std::fs::read_to_string(e.path())
                        .is_ok_and(|eml| eml.contains(&format!("X-Selectpay-Kind: {kind}\r\n")))
                })
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn purchase_pay_and_see_the_order_paid_with_one_receipt() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = serve(data_dir.path());

    let cart_id = &server.buy_and_pay_three_times_at_once().await;

    let outbox = data_dir.path().join("outbox");
    assert_eq!(mails_of_kind(&outbox, "receipt"), 1);
    assert_eq!(mails_of_kind(&outbox, "order_notice"), 1);

    let inspected = inspected_cart(data_dir.path(), cart_id);
    assert_eq!(inspected["status"], "paid");

    assert!(server.dashboard().await.contains(cart_id));
}

#[tokio::test]
async fn a_tampered_amount_from_the_simulator_is_not_fulfilled() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = serve(data_dir.path());
    let cart_id = &server
        .purchase(serde_json::json!({"amount": "14.99", "currency": "GBP", "description": "Tea"}))
        .await;

    let simulate = Command::new(BINARY)
        .args([
            "simulate",
            "pay",
            cart_id,
            "--server",
            &server.url,
            "--amount",
            "0.01",
        ])
        .output()
        .unwrap();
    assert!(simulate.status.success());

    let inspected = inspected_cart(data_dir.path(), cart_id);
    assert_eq!(inspected["status"], "pending");
    assert_eq!(inspected["payments"][0]["status"], "review:amount_mismatch");
    assert_eq!(mails_of_kind(&data_dir.path().join("outbox"), "receipt"), 0);
}

#[tokio::test]
async fn an_opayo_result_refreshed_ten_times_pays_once_and_an_abort_mails_nobody() {
    let data_dir = tempfile::tempdir().unwrap();
    let opayo = [("SELECTPAY_GATEWAYS", "worldpay,opayo")];
    let server = Server::start_with(
        [OsStr::new("--data-dir"), data_dir.path().as_os_str()],
        &opayo,
    );
    let order = opayo_order("1234.56");
    let paid = server.purchase(order.clone()).await;
    let aborted = server.purchase(order).await;
    let simulate = |result: &str, cart_id: &str| {
        Command::new(BINARY)
            .args([
                "simulate",
                "opayo",
                result,
                cart_id,
                "--server",
                &server.url,
            ])
            .args(["--refresh", "10"])
            .envs(opayo)
            .output()
            .unwrap()
    };

    let refreshed = simulate("ok", &paid);
    let aborting = simulate("abort", &aborted);

    let printed = String::from_utf8_lossy(&refreshed.stdout);
    assert!(refreshed.status.success(), "{printed}");
    assert!(printed.contains("10 × 200 OK"), "{printed}");
    assert!(printed.contains("distinct reply bodies: 1"), "{printed}");
    assert!(aborting.status.success());
    let cart = server.cart(&paid).await;
    assert_eq!(cart["status"], "paid");
    assert_eq!(cart["gateway"], "opayo");
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);
    assert_eq!(server.cart(&aborted).await["status"], "cancelled");
    let outbox = data_dir.path().join("outbox");
    assert_eq!(mails_of_kind(&outbox, "receipt"), 1);
    assert_eq!(mails_of_kind(&outbox, "order_notice"), 1);
    assert_eq!(
        std::fs::read_dir(&outbox).unwrap().count(),
        2,
        "no mail for the abort"
    );
}
