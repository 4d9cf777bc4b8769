//! The `selectpay` binary on the AWS adapters, as `README.md` ("Trying the AWS adapters
//! locally") shows it: `serve --store dynamodb --create-table` on DynamoDB Local with mail
//! through the SES v2 emulator, a purchase over HTTP, `simulate pay`, then the carts API and
//! the mail the emulator received. `./infra/test.sh` starts both services; the server
//! inherits their endpoints from this test's environment.

mod support;

use selectpay_aws::testing::{DYNAMODB_ENDPOINT, SES_ENDPOINT, mails_about, require_env};

use support::Server;

/// A table no other run or test uses: DynamoDB Local outlives test runs.
fn unique_table_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("selectpay-e2e-{}-{nanos:08x}", std::process::id())
}

#[tokio::test]
async fn on_dynamodb_and_ses_the_order_is_paid_once_with_one_receipt() {
    require_env(DYNAMODB_ENDPOINT);
    require_env(SES_ENDPOINT);
    let table = unique_table_name();
    let server = Server::start(["--store", "dynamodb", "--table", &table, "--create-table"]);

    let cart_id = &server.buy_and_pay_three_times_at_once().await;

    // The receipt goes to the shopper address the gateway reports, the notice to us.
    let mails = mails_about(cart_id).await;
    let (notices, receipts): (Vec<_>, Vec<_>) = mails
        .iter()
        .partition(|m| m.destination.to == ["merchant@shop.example"]);
    assert_eq!(receipts.len(), 1, "one receipt: {mails:#?}");
    assert!(receipts[0].subject.contains("receipt"), "{mails:#?}");
    assert_eq!(notices.len(), 1, "one order notice: {mails:#?}");

    assert!(server.dashboard().await.contains(cart_id));
}
