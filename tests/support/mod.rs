//! The `selectpay` binary driven as a newcomer drives it: `serve` on a free port, the
//! purchase and carts APIs over HTTP, and `simulate`.
#![allow(dead_code)] // each test binary uses a different part of the helpers

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

use serde_json::Value;

pub const BINARY: &str = env!("CARGO_BIN_EXE_selectpay");

/// An order of £14.99 from a shopper with an address, who gets a receipt.
pub fn tea_for_two() -> Value {
    serde_json::json!({
        "amount": "14.99",
        "currency": "GBP",
        "description": "Tea for two",
        "shopper": {"name": "Zoë Müller", "email": "zoe@example.com"}
    })
}

/// An order of `amount` GBP paid through Opayo, with the address Opayo requires.
pub fn opayo_order(amount: &str) -> Value {
    serde_json::json!({
        "amount": amount, "currency": "GBP", "description": "Tea", "gateway": "opayo",
        "shopper": {"name": "Zoë Müller", "email": "zoe@example.com", "address1": "1 High St",
                    "town": "Bath", "postcode": "BA1 1AA", "country": "GB"}
    })
}

/// Sends `request`, which must succeed.
async fn succeeded(request: reqwest::RequestBuilder) -> reqwest::Response {
    request.send().await.unwrap().error_for_status().unwrap()
}

/// A running `selectpay serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// `selectpay serve --port 0` with `args` added, once it has printed its banner. None of
    /// the test's `SELECTPAY_` variables reach it, so it runs on the development defaults;
    /// everything else (the AWS endpoints, say) does.
    ///
    /// # Panics
    /// If the server stops before printing its banner, with what it wrote to stderr.
    pub fn start<I>(args: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        Self::start_with(args, &[])
    }

    /// As [`Server::start`], with `env` set for the server on top of the defaults.
    pub fn start_with<I>(args: I, env: &[(&str, &str)]) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SELECTPAY_")) {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        let mut child = command.spawn().expect("selectpay serve starts");
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .expect("serve prints its address");
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let Some(url) = first_line.trim().strip_prefix("selectpay listening on ") else {
            let _ = child.kill();
            let status = child
                .wait()
                .map_or_else(|e| e.to_string(), |s| s.to_string());
            panic!(
                "selectpay serve printed {first_line:?} and ended ({status}); stderr:\n{}",
                stderr.join().unwrap_or_default()
            );
        };
        Self {
            url: url.to_owned(),
            child,
        }
    }

    /// Creates a cart through the purchase API, as a storefront does; returns its id.
    pub async fn purchase(&self, order: Value) -> String {
        let purchase = selectpay_worldpay::http_client::client()
            .post(format!("{}/purchase", self.url))
            .bearer_auth("dev-api-key")
            .json(&order);
        let token: Value = succeeded(purchase).await.json().await.unwrap();
        token["cartId"].as_str().unwrap().to_owned()
    }

    /// The cart as the carts API shows it.
    pub async fn cart(&self, cart_id: &str) -> Value {
        let cart = selectpay_worldpay::http_client::client()
            .get(format!("{}/carts/{cart_id}", self.url))
            .bearer_auth("dev-api-key");
        succeeded(cart).await.json().await.unwrap()
    }

    /// The dashboard page, `GET /`.
    pub async fn dashboard(&self) -> String {
        let dashboard = selectpay_worldpay::http_client::client().get(&self.url);
        succeeded(dashboard).await.text().await.unwrap()
    }

    /// A purchase, then the gateway's payment delivered three times at once; checks the
    /// cart is paid once. Returns the cart id.
    pub async fn buy_and_pay_three_times_at_once(&self) -> String {
        let cart_id = self.purchase(tea_for_two()).await;
        self.pay_three_times_at_once(&cart_id);
        let cart = self.cart(&cart_id).await;
        assert_eq!(cart["status"], "paid");
        assert_eq!(cart["payments"].as_array().unwrap().len(), 1);
        cart_id
    }

    /// `selectpay simulate pay` for the cart, three deliveries at once, as a gateway retrying
    /// while the shopper refreshes; checks that all three got the same `200 OK` page.
    pub fn pay_three_times_at_once(&self, cart_id: &str) {
        let simulate = Command::new(BINARY)
            .args(["simulate", "pay", cart_id, "--server", &self.url])
            .args(["--repeat", "3", "--concurrency", "3"])
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&simulate.stdout);
        assert!(simulate.status.success(), "{printed}");
        assert!(printed.contains("3 × 200 OK"), "{printed}");
        assert!(printed.contains("distinct reply bodies: 1"), "{printed}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the child's stderr as it comes, so that logging never blocks it, and keeps it for
/// a failure message.
fn drain(mut stderr: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// `selectpay <args>` as a command beside the server: none of the test's `SELECTPAY_`
/// variables, so the same development defaults, with `env` on top.
pub fn selectpay(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(BINARY);
    command.args(args);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SELECTPAY_")) {
        command.env_remove(name);
    }
    command
        .envs(env.iter().copied())
        .output()
        .expect("selectpay runs")
}

/// What a command wrote, stdout then stderr, for assertions and their messages.
pub fn printed(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A DynamoDB table name no other test run uses.
pub fn fresh_table(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("selectpay-{prefix}-{}-{nanos:08x}", std::process::id())
}

/// Asserts that the command succeeded and printed each of `texts`, showing what it printed.
pub fn succeeded_saying(output: &std::process::Output, texts: &[&str]) {
    let printed = printed(output);
    assert!(output.status.success(), "{printed}");
    for text in texts {
        assert!(printed.contains(text), "no {text:?} in: {printed}");
    }
}
