//! What the DynamoDB store must do beyond the conformance suite: one request on the happy
//! path, quick failure when DynamoDB is unreachable, corrupt items reported as such, and
//! the item layout other tools rely on (times, expiry of raw deliveries).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_aws::testing::fresh_table;
use selectpay_aws::{DynamoStore, dynamodb_client};
use selectpay_domain::cart::{Cart, Payment, PaymentStatus, ReviewReason};
use selectpay_domain::decision::Writes;
use selectpay_domain::ports::{CommitResult, Store, StoreError};
use selectpay_store_conformance::fixtures::{
    at, cart, commit, delivery, happy_path, payment, trans_key,
};
use time::macros::datetime;

/// The DynamoDB operation of every HTTP request a client sends, retries included.
#[derive(Debug, Default, Clone)]
struct Requests(Arc<Mutex<Vec<String>>>);

impl Requests {
    fn take(&self) -> Vec<String> {
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
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context.request().headers().get("x-amz-target");
        let operation = target.and_then(|t| t.rsplit('.').next()).unwrap_or("?");
        self.0.lock().unwrap().push(operation.to_owned());
        Ok(())
    }
}

async fn counted_store() -> (DynamoStore, Requests) {
    let (client, table) = fresh_table().await;
    let requests = Requests::default();
    let config = client
        .config()
        .to_builder()
        .interceptor(requests.clone())
        .build();
    (DynamoStore::new(Client::from_conf(config), table), requests)
}

/// What the callback handler does with a payment response, counted: an optimistic commit;
/// for a repeat, the refused commit, a snapshot and a commit of the bare delivery.
#[tokio::test]
async fn the_happy_path_is_one_request_and_a_repeat_four() {
    let (store, requests) = counted_store().await;
    let cart = cart("cart-1");
    store.insert_cart(&cart).await.unwrap();
    requests.take();

    let writes = happy_path(&cart, "T1");
    let first = commit(writes.clone(), delivery("d1", Some(&cart.id), at(60)));
    assert_eq!(store.commit(&first).await.unwrap(), CommitResult::Committed);
    assert_eq!(requests.take(), ["TransactWriteItems"]);

    let again = commit(writes, delivery("d2", Some(&cart.id), at(61)));
    assert_eq!(
        store.commit(&again).await.unwrap(),
        CommitResult::ConditionFailed
    );
    let snapshot = store.snapshot(&trans_key("T1"), &cart.id).await.unwrap();
    assert!(snapshot.saved.is_some());
    let bare = commit(Writes::default(), delivery("d2", Some(&cart.id), at(61)));
    assert_eq!(store.commit(&bare).await.unwrap(), CommitResult::Committed);
    assert_eq!(
        requests.take(),
        [
            "TransactWriteItems",
            "GetItem",
            "GetItem",
            "TransactWriteItems"
        ]
    );
}

/// Nothing listens on the port: every call must fail as `Unavailable` within the client's
/// bounded retries, long before API Gateway's 29 s.
#[tokio::test]
async fn an_unreachable_dynamodb_is_unavailable_quickly() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "test"))
        .endpoint_url(&endpoint)
        .load()
        .await;
    let store = DynamoStore::new(dynamodb_client(&config), "selectpay");
    let cart = cart("cart-1");

    let started = Instant::now();
    let insert = store.insert_cart(&cart).await;
    let committed = store
        .commit(&commit(
            happy_path(&cart, "T1"),
            delivery("d1", None, at(60)),
        ))
        .await;
    let elapsed = started.elapsed();

    for result in [insert.map(drop), committed.map(drop)] {
        match result {
            Err(StoreError::Unavailable(message)) => assert!(
                message.contains("dispatch failure"),
                "not a connection failure to {endpoint}: {message}"
            ),
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// Sets attributes of `cart-1`'s item directly, as a bad migration or hand edit would.
async fn damage(client: &Client, table: &str, attribute: &str, value: Option<AttributeValue>) {
    let update = client
        .update_item()
        .table_name(table)
        .key("pk", AttributeValue::S("CART#cart-1".to_owned()))
        .key("sk", AttributeValue::S("CART".to_owned()))
        .expression_attribute_names("#a", attribute);
    let update = match value {
        Some(value) => update
            .update_expression("SET #a = :v")
            .expression_attribute_values(":v", value),
        None => update.update_expression("REMOVE #a"),
    };
    update.send().await.expect("damage the item");
}

#[tokio::test]
async fn items_that_do_not_decode_are_corrupt() {
    let s = |text: &str| Some(AttributeValue::S(text.to_owned()));
    let field = |name: &str| {
        AttributeValue::M(HashMap::from([
            ("name".to_owned(), AttributeValue::S(name.to_owned())),
            ("value".to_owned(), AttributeValue::S("v".to_owned())),
        ]))
    };
    let damages = [
        ("status", s("lost")),
        ("currency", s("XXX")),
        ("currency", None),
        ("amountMinor", Some(AttributeValue::N("-1".to_owned()))),
        ("amountMinor", s("1499")),
        ("createdAt", s("yesterday")),
        ("shopper", s("not a map")),
        ("customFields", Some(AttributeValue::L(vec![field("X_1")]))),
        ("paidBy", s("")),
        ("description", Some(AttributeValue::N("1".to_owned()))),
        ("cartId", None),
    ];
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), table.clone());
    for (attribute, value) in damages {
        let cart = cart("cart-1");
        store.insert_cart(&cart).await.unwrap();
        damage(&client, &table, attribute, value.clone()).await;
        let read = store.cart(&cart.id).await;
        assert!(
            matches!(&read, Err(StoreError::Corrupt(m)) if m.contains(attribute)),
            "{attribute} = {value:?}: {read:?}"
        );
        let recent = store.recent(10).await;
        assert!(
            matches!(recent, Err(StoreError::Corrupt(_))),
            "{attribute} = {value:?}: {recent:?}"
        );
        client
            .delete_item()
            .table_name(&table)
            .key("pk", AttributeValue::S("CART#cart-1".to_owned()))
            .key("sk", AttributeValue::S("CART".to_owned()))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn times_keep_nanoseconds_and_come_back_in_utc() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, table);
    let created_at = datetime!(2024-05-01 14:00:00.123456789 +02:00);
    let cart = Cart {
        created_at,
        ..cart("cart-1")
    };
    store.insert_cart(&cart).await.unwrap();
    let read = store.cart(&cart.id).await.unwrap().unwrap().cart.created_at;
    assert_eq!(read, created_at);
    assert_eq!(read.offset(), time::UtcOffset::UTC);
}

/// Raw deliveries are found by cart with one query and carry their expiry for DynamoDB's TTL.
#[tokio::test]
async fn deliveries_are_kept_by_cart_for_ninety_days() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), table.clone());
    let cart = cart("cart-1");
    let received = delivery("d1", Some(&cart.id), at(60));
    let result = store
        .commit(&commit(Writes::default(), received.clone()))
        .await
        .unwrap();
    assert_eq!(result, CommitResult::Committed);

    let found = client
        .query()
        .table_name(&table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S("DELIVERY#cart-1".to_owned()))
        .send()
        .await
        .unwrap();
    let [item] = found.items() else {
        panic!("expected one delivery, found {:?}", found.items());
    };
    let expires_at = received.received_at + time::Duration::days(90);
    assert_eq!(
        item.get("expiresAt"),
        Some(&AttributeValue::N(expires_at.unix_timestamp().to_string()))
    );
    assert_eq!(store.recent(10).await.unwrap().deliveries, [received]);
}

/// A tampered callback may leave out the amount and currency; DynamoDB takes empty strings
/// outside keys, and what was received is kept as received.
#[tokio::test]
async fn a_payment_without_amount_or_currency_round_trips() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, table);
    let cart = cart("cart-1");
    store.insert_cart(&cart).await.unwrap();
    let review = PaymentStatus::Review(ReviewReason::AmountMismatch);
    let received = Payment {
        amount: String::new(),
        currency: String::new(),
        auth_mode: None,
        avs: None,
        card_type: None,
        ..payment(&cart.id, "T1", review, at(60))
    };
    let writes = Writes {
        payment: Some(received.clone()),
        ..Writes::default()
    };
    let result = store
        .commit(&commit(writes, delivery("d1", Some(&cart.id), at(60))))
        .await
        .unwrap();
    assert_eq!(result, CommitResult::Committed);
    let record = store.cart(&cart.id).await.unwrap().unwrap();
    assert_eq!(record.payments, [received]);
}
