//! What a callback costs in DynamoDB requests before its reply, counted by an interceptor on
//! the store's client against DynamoDB Local: a first authentic callback commits in one
//! request; a repeat the process has met is answered from memory and recorded with one plain
//! write, one it has not from its refused commit and that write; after the reply, each mail
//! costs only the mark that it was sent.

use std::sync::Arc;

use lambda_http::Body;

use selectpay_app::App;
use selectpay_aws::SesMailer;
use selectpay_aws::testing::{Requests, counted_store, local_ses_client};
use selectpay_domain::email::EmailAddress;
use selectpay_worldpay::gateway_simulator::Action;

use crate::aws_end_to_end::{callback, gateway, purchase};
use crate::support;
use selectpay_aws::testing::mails_about;

/// The callback function's App on a counted DynamoDB client: mail after the reply. The
/// second App, on the same table and client, is another execution environment.
async fn counted_apps() -> (Arc<App>, Arc<App>, Requests) {
    let (store, requests) = counted_store().await;
    let mailer = Arc::new(SesMailer::new(
        local_ses_client().await,
        EmailAddress::parse("orders@shop.example").unwrap(),
    ));
    let app = |store| {
        let app = App::builder(support::dev_config())
            .mail_after_reply()
            .build(Arc::new(store), mailer.clone())
            .unwrap();
        Arc::new(app)
    };
    (app(store.clone()), app(store), requests)
}

fn body(response: &lambda_http::Response<Body>) -> Vec<u8> {
    response.body().to_vec()
}

#[tokio::test]
async fn a_first_callback_costs_one_request_and_a_repeat_one_or_two_with_the_same_page() {
    let (app, other_environment, requests) = counted_apps().await;
    let cart_id = purchase(&app, "14.99").await;
    let payment = gateway(Action::Pay, &cart_id, "14.99");
    requests.take();

    let first = callback(&app, &payment).await;
    // Time for any mail task the callback started to reach the store: none may.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let first_path = requests.take();
    app.finish_sends().await;
    let after_reply = requests.take();
    let repeat = callback(&app, &payment).await;
    let repeat_path = requests.take();
    app.finish_sends().await;
    let elsewhere = callback(&other_environment, &payment).await;
    let elsewhere_path = requests.take();
    other_environment.finish_sends().await;

    assert_eq!(first.status(), 200);
    assert_eq!(first_path, ["TransactWriteItems"], "first callback");
    assert_eq!(
        after_reply,
        ["UpdateItem", "UpdateItem"],
        "after the reply only the two mails' marks: their commit claimed them"
    );
    assert_eq!(repeat_path, ["PutItem"], "a repeat this process has met");
    assert_eq!(
        elsewhere_path,
        ["TransactWriteItems", "PutItem"],
        "a repeat another process met"
    );
    for page in [&repeat, &elsewhere] {
        assert_eq!(body(page), body(&first), "a repeat gets the saved page");
    }
    assert_eq!(
        mails_about(&cart_id).await.len(),
        2,
        "receipt and order notice, once"
    );
}
