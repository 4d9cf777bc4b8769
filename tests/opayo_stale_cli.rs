//! The shopper who never came back from Opayo, as the merchant handles it from the command
//! line beside a server: `carts --stale` lists the cart after the stale time, `replay --opayo`
//! feeds in the result (only decided, then applied), once the shopper's browser brought the
//! same result a replay changes nothing, and `carts --dismiss` takes a cart Opayo has no
//! payment for off the list; on the embedded store and on DynamoDB.

mod support;

use std::process::Output;

use selectpay_aws::testing::{DYNAMODB_ENDPOINT, SES_ENDPOINT, require_env};
use selectpay_domain::opayo::{EncryptionPassword, ReturnFields};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use support::{Server, fresh_table, opayo_order, printed, selectpay, succeeded_saying};

const OPAYO: [(&str, &str); 1] = [("SELECTPAY_GATEWAYS", "worldpay,opayo")];

/// `selectpay <args>` on the dev defaults the test server runs on, offering Opayo.
fn run(store: &[&str], args: &[&str]) -> Output {
    let args: Vec<&str> = args.iter().chain(store).copied().collect();
    selectpay(&args, &OPAYO)
}

/// The stale carts at `now`, by id, with the whole listing.
fn stale_at(store: &[&str], now: OffsetDateTime) -> (Vec<String>, String) {
    let now = now.format(&Rfc3339).unwrap();
    let output = run(store, &["carts", "--stale", "--now", &now]);
    assert!(output.status.success(), "{}", printed(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let listed: Value = serde_json::from_str(&text).expect("a JSON array");
    let ids = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|cart| cart["cartId"].as_str().unwrap().to_owned())
        .collect();
    (ids, text)
}

/// The crypt Opayo sends back for a paid `cart_id`, made with the dev encryption password.
fn paid_crypt(cart_id: &str) -> String {
    let plain = format!(
        "VendorTxCode={cart_id}&VPSTxId={{5A1C2B3D-0000-4000-8000-0000000000CC}}&Status=OK\
         &StatusDetail=0000 : The Authorisation was Successful.&TxAuthNo=8661&Amount=14.99\
         &AVSCV2=ALL MATCH&CardType=VISA&Last4Digits=0006"
    );
    let password = EncryptionPassword::new("dev-opayo-16-key").unwrap();
    ReturnFields::parse(plain.as_bytes())
        .unwrap()
        .crypt(&password)
        .unwrap()
}

async fn the_merchant_lists_and_replays_a_stale_cart(server: Server, store: &[&str]) {
    let order = opayo_order("14.99");
    let replayed = server.purchase(order.clone()).await;
    let waiting = server.purchase(order).await;
    let now = OffsetDateTime::now_utc();
    let later = now + time::Duration::hours(3);

    assert!(stale_at(store, now).0.is_empty(), "not stale yet");
    let (ids, listing) = stale_at(store, later);
    assert_eq!(ids.len(), 2, "{listing}");
    assert!(
        ids.contains(&replayed) && ids.contains(&waiting),
        "{listing}"
    );
    assert!(listing.contains(r#""amount": "14.99""#), "{listing}");
    assert!(listing.contains(r#""currency": "GBP""#), "{listing}");
    assert!(listing.contains(r#""createdAt""#), "{listing}");
    for shopper in ["Zoë", "zoe@example.com", "High St"] {
        assert!(!listing.contains(shopper), "no shopper details: {listing}");
    }

    let crypt = paid_crypt(&replayed);
    let url = format!("{}/return/opayo?crypt={crypt}", server.url);
    let decided = run(store, &["replay", "--opayo", &url]);
    succeeded_saying(&decided, &["decision: paid", "only decided"]);
    assert_eq!(server.cart(&replayed).await["status"], "pending");

    let applied = run(store, &["replay", "--opayo", &url, "--apply"]);
    succeeded_saying(&applied, &["decision: paid", "mail: sent"]);
    let cart = server.cart(&replayed).await;
    assert_eq!(cart["status"], "paid");
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1);
    assert_eq!(stale_at(store, later).0, vec![waiting.clone()]);

    // The shopper's browser brings the same result after all: the first page, no change.
    let page = selectpay_worldpay::http_client::client()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Thank you"));
    let again = run(store, &["replay", "--opayo", &crypt, "--apply"]);
    succeeded_saying(&again, &["decision: duplicate", "already processed"]);
    let cart = server.cart(&replayed).await;
    assert_eq!(cart["payments"].as_array().unwrap().len(), 1, "{cart}");

    // Opayo has no payment for the other one: the merchant takes it off the list, once.
    let dismissed = run(store, &["carts", "--dismiss", &waiting]);
    assert!(dismissed.status.success(), "{}", printed(&dismissed));
    assert!(stale_at(store, later).0.is_empty());
    let again = run(store, &["carts", "--dismiss", &waiting]);
    assert!(!again.status.success(), "{}", printed(&again));
    assert!(printed(&again).contains("not awaiting its shopper"));
    assert_eq!(server.cart(&waiting).await["status"], "pending");

    let garbled = run(store, &["replay", "--opayo", "@ZZ", "--apply"]);
    assert!(!garbled.status.success());
    assert!(
        printed(&garbled).contains("does not read"),
        "{}",
        printed(&garbled)
    );
}

#[tokio::test]
async fn on_the_embedded_store() {
    let data_dir = tempfile::tempdir().unwrap();
    let dir = data_dir.path().display().to_string();
    let server = Server::start_with(["--data-dir", &dir], &OPAYO);
    the_merchant_lists_and_replays_a_stale_cart(server, &["--data-dir", &dir]).await;
}

#[tokio::test]
async fn on_dynamodb() {
    require_env(DYNAMODB_ENDPOINT);
    require_env(SES_ENDPOINT);
    let table = fresh_table("stale");
    let server = Server::start_with(
        ["--store", "dynamodb", "--table", &table, "--create-table"],
        &OPAYO,
    );
    the_merchant_lists_and_replays_a_stale_cart(
        server,
        &["--store", "dynamodb", "--table", &table],
    )
    .await;
}
