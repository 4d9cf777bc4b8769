//! The `selectpay` binary as a newcomer uses it: `serve` on a free port, a purchase over
//! HTTP, `simulate pay`, then the carts API and the outbox.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_selectpay");

/// A running `selectpay serve`, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SELECTPAY_")) {
            command.env_remove(name);
        }
        let mut child = command.spawn().expect("selectpay serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stdout = BufReader::new(stdout);
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .expect("serve prints its address");
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = first_line
            .trim()
            .strip_prefix("selectpay listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_owned();
        Self { child, url }
    }
}

impl Server {
    /// Creates a cart through the purchase API, as a storefront does; returns its id.
    async fn purchase(&self, order: Value) -> String {
        let token: Value = reqwest::Client::new()
            .post(format!("{}/purchase", self.url))
            .bearer_auth("dev-api-key")
            .json(&order)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        token["cartId"].as_str().unwrap().to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let server = Server::start(data_dir.path());
    let client = reqwest::Client::new();

    let cart_id = &server
        .purchase(serde_json::json!({
            "amount": "14.99",
            "currency": "GBP",
            "description": "Tea for two",
            "shopper": {"name": "Zoë Müller", "email": "zoe@example.com"}
        }))
        .await;

    let simulate = Command::new(BINARY)
        .args(["simulate", "pay", cart_id, "--server", &server.url])
        .args(["--repeat", "3", "--concurrency", "3"])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&simulate.stdout);
    assert!(simulate.status.success(), "{printed}");
    assert!(printed.contains("3 × 200 OK"), "{printed}");
    assert!(printed.contains("distinct reply bodies: 1"), "{printed}");

    let cart: Value = client
        .get(format!("{}/carts/{cart_id}", server.url))
        .bearer_auth("dev-api-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cart["status"], "paid");
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);

    let outbox = data_dir.path().join("outbox");
    assert_eq!(mails_of_kind(&outbox, "receipt"), 1);
    assert_eq!(mails_of_kind(&outbox, "order_notice"), 1);

    let inspected = Command::new(BINARY)
        .args(["cart", cart_id, "--data-dir"])
        .arg(data_dir.path())
        .output()
        .unwrap();
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(inspected["status"], "paid");

    let dashboard = client
        .get(&server.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains(cart_id));
}

#[tokio::test]
async fn a_tampered_amount_from_the_simulator_is_not_fulfilled() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start(data_dir.path());
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

    let inspected = Command::new(BINARY)
        .args(["cart", cart_id, "--data-dir"])
        .arg(data_dir.path())
        .output()
        .unwrap();
    let inspected: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(inspected["status"], "pending");
    assert_eq!(inspected["payments"][0]["status"], "review:amount_mismatch");
    assert_eq!(mails_of_kind(&data_dir.path().join("outbox"), "receipt"), 0);
}
