//! `selectpay replay` as an operator runs it beside a server: data saved as a form (`--form`)
//! only decided, then applied once, then a duplicate; a stored delivery replayed by its id
//! (`--delivery`), on the embedded store and on DynamoDB (`--store dynamodb --table`).

mod support;

use std::path::Path;
use std::process::Output;

use selectpay_aws::testing::{DYNAMODB_ENDPOINT, SES_ENDPOINT, require_env};
use selectpay_worldpay::gateway_simulator::{Action, SimulatedPayment, encode_form};

use support::{Server, fresh_table, printed, selectpay};

/// `selectpay replay` with the dev defaults the test server runs on.
fn replay(store: &[&str], args: &[&str]) -> Output {
    let args: Vec<&str> = ["replay"]
        .iter()
        .chain(store)
        .chain(args)
        .copied()
        .collect();
    selectpay(&args, &[])
}

/// The payment callback for `cart_id` as WorldPay would have sent it, saved without the
/// password (the operator vouches for it).
fn save_form(dir: &Path, cart_id: &str) -> String {
    let payment = SimulatedPayment {
        action: Action::Pay,
        installation_id: "38290".into(),
        callback_password: None,
        cart_id: cart_id.into(),
        amount: "14.99".into(),
        currency: "GBP".into(),
        test_mode: "100".into(),
        trans_id: "31337".into(),
        trans_time_ms: 999_178_402_000,
        name: "WorldPay Test".into(),
        email: "demo@uk.worldpay.com".into(),
        description: "Tea for two".into(),
        future_pay_id: None,
    };
    let path = dir.join("callback.txt");
    std::fs::write(&path, encode_form(&payment.fields(), encoding_rs::UTF_8)).unwrap();
    path.display().to_string()
}

/// The ids the cart's page shows for its deliveries.
async fn delivery_ids(server: &Server, cart_id: &str) -> Vec<String> {
    let page = selectpay_worldpay::http_client::client()
        .get(format!("{}/carts/{cart_id}", server.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    page.split("delivery ")
        .skip(1)
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .next()
        })
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn replay_decides_applies_once_and_replays_a_stored_delivery(server: Server, store: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let cart_id = server.purchase(support::tea_for_two()).await;
    let form = save_form(dir.path(), &cart_id);

    let decided = replay(store, &["--form", &form]);
    assert!(decided.status.success(), "{}", printed(&decided));
    assert!(
        printed(&decided).contains("decision: paid"),
        "{}",
        printed(&decided)
    );
    assert!(printed(&decided).contains("only decided"));
    assert_eq!(server.cart(&cart_id).await["status"], "pending");

    let applied = replay(store, &["--form", &form, "--apply"]);
    assert!(applied.status.success(), "{}", printed(&applied));
    assert!(
        printed(&applied).contains("decision: paid"),
        "{}",
        printed(&applied)
    );
    let cart = server.cart(&cart_id).await;
    assert_eq!(cart["status"], "paid");
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);

    let again = replay(store, &["--form", &form, "--apply"]);
    assert!(
        printed(&again).contains("decision: duplicate"),
        "{}",
        printed(&again)
    );
    assert!(printed(&again).contains("already processed"));

    let ids = delivery_ids(&server, &cart_id).await;
    let stored = replay(store, &["--delivery", &ids[0], "--apply"]);
    assert!(stored.status.success(), "{}", printed(&stored));
    assert!(
        printed(&stored).contains("recorded as paid"),
        "{}",
        printed(&stored)
    );
    assert!(printed(&stored).contains("decision: duplicate"));
    assert_eq!(
        server.cart(&cart_id).await["payments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let unknown = replay(store, &["--delivery", "no-such-delivery"]);
    assert!(!unknown.status.success());
    assert!(printed(&unknown).contains("no delivery no-such-delivery"));
}

#[tokio::test]
async fn on_the_embedded_store() {
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path().display().to_string();
    let server = Server::start(["--data-dir", &dir]);
    replay_decides_applies_once_and_replays_a_stored_delivery(server, &["--data-dir", &dir]).await;
}

#[tokio::test]
async fn on_dynamodb() {
    require_env(DYNAMODB_ENDPOINT);
    require_env(SES_ENDPOINT);
    let table = fresh_table("replay");
    let server = Server::start(["--store", "dynamodb", "--table", &table, "--create-table"]);
    replay_decides_applies_once_and_replays_a_stored_delivery(
        server,
        &["--store", "dynamodb", "--table", &table],
    )
    .await;
}

#[test]
fn a_template_folder_that_is_not_there_stops_the_command_and_is_named() {
    let data_dir = tempfile::tempdir().unwrap();
    let missing = data_dir.path().join("no-such-templates");
    let output = selectpay(
        &[
            "sweep",
            "--dry-run",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
        ],
        &[("SELECTPAY_TEMPLATE_DIR", missing.to_str().unwrap())],
    );
    assert!(!output.status.success());
    let printed = printed(&output);
    assert!(
        printed.contains("SELECTPAY_TEMPLATE_DIR") && printed.contains("is not a folder"),
        "{printed}"
    );
}
