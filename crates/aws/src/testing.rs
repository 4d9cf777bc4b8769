//! Test support on the local stand-ins that `./infra/test.sh` starts (DynamoDB Local and an
//! SES v2 emulator), for this crate's tests and for end-to-end tests elsewhere. Each test
//! gets a table of its own, so tests run in parallel against one DynamoDB Local.
//!
//! These functions panic, with a message saying what to do, when the services are not
//! there: a test that cannot reach them must fail, not pass silently.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_store_conformance::Tamper;
use serde::Deserialize;
use tokio::task::JoinSet;

use crate::dynamodb::codec::{self, n, s};
use crate::dynamodb::keys::{Key, attr};
use crate::{DynamoStore, dynamodb_client, load_sdk_config, ses_client};

pub const DYNAMODB_ENDPOINT: &str = "AWS_ENDPOINT_URL_DYNAMODB";
pub const SES_ENDPOINT: &str = "AWS_ENDPOINT_URL_SESV2";
/// The emulator's list of the mail it was given, as JSON.
pub const SES_STORE_URL: &str = "SELECTPAY_SES_STORE_URL";

/// The value of `variable`, which `./infra/services.sh start` exports.
///
/// # Panics
/// If it is not set.
pub fn require_env(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        panic!(
            "{variable} is not set: these tests need DynamoDB Local and the SES emulator. \
             Run them with ./infra/test.sh, which starts both, or first run \
             eval \"$(./infra/services.sh start .selectpay/services)\""
        )
    })
}

/// The SDK configuration from the environment, once the local endpoints are known to be set.
pub async fn local_sdk_config() -> SdkConfig {
    require_env(DYNAMODB_ENDPOINT);
    require_env(SES_ENDPOINT);
    load_sdk_config().await
}

/// A new, empty table like the deployed one, and a client for it.
pub async fn fresh_table() -> (Client, String) {
    let client = dynamodb_client(&local_sdk_config().await);
    let name = unique_table_name();
    crate::create_table_if_missing(&client, &name)
        .await
        .unwrap_or_else(|e| panic!("DynamoDB at {}: {e}", require_env(DYNAMODB_ENDPOINT)));
    (client, name)
}

/// A [`DynamoStore`] on a new, empty table.
pub async fn fresh_store() -> DynamoStore {
    let (client, table) = fresh_table().await;
    DynamoStore::new(client, table)
}

/// Puts `agreements` straight into the store's table as the store lays them out (without
/// their cart pointers), many at a time: for tests that need a big table fast.
///
/// # Panics
/// If DynamoDB refuses a write.
pub async fn put_agreements(store: &DynamoStore, agreements: &[Agreement]) {
    /// BatchWriteItem's limit, and how many batches are in flight at once.
    const BATCH: usize = 25;
    const IN_FLIGHT: usize = 8;
    let mut batches = agreements.chunks(BATCH).map(|batch| {
        batch
            .iter()
            .map(|agreement| {
                let item = codec::agreement_item(agreement).expect("agreement item");
                let put = PutRequest::builder().set_item(Some(item)).build();
                WriteRequest::builder()
                    .put_request(put.expect("put request"))
                    .build()
            })
            .collect::<Vec<_>>()
    });
    let mut running = JoinSet::new();
    loop {
        while running.len() < IN_FLIGHT
            && let Some(batch) = batches.next()
        {
            let (client, table) = (store.client.clone(), store.table.clone());
            running.spawn(async move {
                let (mut requests, mut first) = (batch, true);
                while !requests.is_empty() {
                    if !std::mem::take(&mut first) {
                        // Unprocessed items: DynamoDB asks to slow down.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    let output = client
                        .batch_write_item()
                        .request_items(&table, requests)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("batch write: {}", DisplayErrorContext(e)));
                    requests = output
                        .unprocessed_items
                        .and_then(|mut unprocessed| unprocessed.remove(&table))
                        .unwrap_or_default();
                }
            });
        }
        match running.join_next().await {
            Some(done) => done.expect("batch write task"),
            None => break,
        }
    }
}

/// A mailer on the SES emulator.
pub async fn local_ses_client() -> aws_sdk_sesv2::Client {
    ses_client(&local_sdk_config().await)
}

fn unique_table_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // DynamoDB Local outlives test runs: the random part keeps a rerun off old tables.
    let run = getrandom::u32().expect("random bytes");
    format!(
        "selectpay-test-{}-{run:08x}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One mail as the SES emulator recorded it.
#[derive(Debug, Clone, Deserialize)]
pub struct SentMail {
    pub from: String,
    pub destination: SentTo,
    pub subject: String,
    pub body: SentBody,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SentTo {
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SentBody {
    pub text: Option<String>,
    pub html: Option<String>,
}

/// Every mail the SES emulator was given since it started, oldest first. Tests run in
/// parallel on one emulator, so pick yours out, e.g. by a recipient of your own.
pub async fn sent_mails() -> Vec<SentMail> {
    #[derive(Deserialize)]
    struct Store {
        emails: Vec<SentMail>,
    }
    let url = require_env(SES_STORE_URL);
    let store: Store = selectpay_worldpay::http_client::client()
        .get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not the emulator's store: {e}"));
    store.emails
}

/// The mail the SES emulator was given about `cart_id`, by its subject: other tests share
/// the emulator, but cart ids are unique.
pub async fn mails_about(cart_id: &str) -> Vec<SentMail> {
    sent_mails()
        .await
        .into_iter()
        .filter(|m| m.subject.contains(cart_id))
        .collect()
}

/// Damage as the conformance suite asks for it, written straight to the item.
#[async_trait::async_trait]
impl Tamper for DynamoStore {
    async fn overwrite_plan(&self, cart_id: &CartId, json: &str) {
        self.overwrite(Key::cart(cart_id), attr::FUTURE_PAY, s(json))
            .await;
    }

    async fn overwrite_interval_mult(&self, id: &FuturePayId, mult: u32) {
        self.overwrite(Key::agreement(id), attr::INTERVAL_MULT, n(mult))
            .await;
    }
}

impl DynamoStore {
    async fn overwrite(
        &self,
        key: Key,
        name: &str,
        value: aws_sdk_dynamodb::types::AttributeValue,
    ) {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .update_expression("SET #name = :value")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#name", name)
            .expression_attribute_names("#pk", attr::PK)
            .expression_attribute_values(":value", value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("overwrite {name}: {}", DisplayErrorContext(e)));
    }
}

/// The DynamoDB operation of every HTTP request a client sends, retries included.
#[derive(Debug, Default, Clone)]
pub struct Requests(Arc<Mutex<Vec<String>>>);

impl Requests {
    /// The operations sent since the last call, in order.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl Intercept for Requests {
    fn name(&self) -> &'static str {
        "Requests"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context.request().headers().get("x-amz-target");
        let operation = target.and_then(|t| t.rsplit('.').next()).unwrap_or("?");
        self.0.lock().unwrap().push(operation.to_owned());
        Ok(())
    }
}

/// A [`DynamoStore`] on a new, empty table, whose requests are counted.
pub async fn counted_store() -> (DynamoStore, Requests) {
    let (client, table) = fresh_table().await;
    let requests = Requests::default();
    let config = client
        .config()
        .to_builder()
        .interceptor(requests.clone())
        .build();
    (DynamoStore::new(Client::from_conf(config), table), requests)
}
