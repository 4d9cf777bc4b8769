//! What the DynamoDB store must do beyond the conformance suite: one request on the happy
//! path, quick failure when DynamoDB is unreachable, corrupt items reported as such, the
//! item layout other tools rely on (times, expiry of raw deliveries, the sparse index of due
//! agreements), and a sweep whose reads grow with the agreements due, not with the table.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use aws_sdk_dynamodb::operation::query::{QueryInput, QueryOutput};
use aws_sdk_dynamodb::operation::scan::{ScanInput, ScanOutput};
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity, ReturnConsumedCapacity, Select};
use selectpay_aws::testing::{counted_store, fresh_table, put_agreements};
use selectpay_aws::{DynamoStore, dynamodb_client};
use selectpay_domain::cart::{Cart, Payment, PaymentStatus, ReviewReason};
use selectpay_domain::decision::Writes;
use selectpay_domain::futurepay::{Agreement, AgreementStatus, FuturePayPlan};
use selectpay_domain::store::{
    CommitOrSaved, CommitResult, DueAgreements, Inspect, Store, StoreError,
};
use selectpay_store_conformance::fixtures::{
    agreement, agreement_change, agreement_payment, at, cart, commit, delivery, due_agreement,
    future_pay_cart, happy_path, new_agreement, payment, regular_plan, sweep_commit, trans_key,
};
use time::OffsetDateTime;
use time::macros::datetime;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the callback handler does with a payment response, counted: an optimistic commit;
/// for a repeat, the refused commit, which brings the saved outcome back, and a plain put of
/// the bare delivery.
#[tokio::test]
async fn the_happy_path_is_one_request_and_a_repeat_two() {
    let (store, requests) = counted_store().await;
    let cart = cart("cart-1");
    store.insert_cart(&cart).await.unwrap();
    requests.take();

    let writes = happy_path(&cart, "T1");
    let first = commit(writes.clone(), delivery("d1", Some(&cart.id), at(60)));
    assert_eq!(store.commit(&first).await.unwrap(), CommitResult::Committed);
    assert_eq!(requests.take(), ["TransactWriteItems"]);

    let again = commit(writes.clone(), delivery("d2", Some(&cart.id), at(61)));
    let CommitOrSaved::ConditionFailed { saved: Some(saved) } =
        store.commit_or_saved(&again).await.unwrap()
    else {
        panic!("the refused repeat brings its saved outcome back");
    };
    assert_eq!(Some(&saved), writes.saved_outcome.as_ref());
    let bare = commit(Writes::default(), delivery("d2", Some(&cart.id), at(61)));
    assert_eq!(store.commit(&bare).await.unwrap(), CommitResult::Committed);
    assert_eq!(requests.take(), ["TransactWriteItems", "PutItem"]);
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
                message.to_string().contains("dispatch failure"),
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
            matches!(&read, Err(StoreError::Corrupt(m)) if m.to_string().contains(attribute)),
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

/// A scheduled payment on an agreement is one request too; its snapshot reads the
/// agreement beside the outcome and the cart, in the same round trip.
#[tokio::test]
async fn an_agreement_payment_is_one_request_and_its_snapshot_three_side_by_side() {
    let (store, requests) = counted_store().await;
    let cart = cart("cart-1");
    let current = agreement("193743", &cart.id);
    let created = store.commit(&sweep_commit(new_agreement(&current))).await;
    assert_eq!(created.unwrap(), CommitResult::Committed);
    assert_eq!(requests.take(), ["TransactWriteItems"]);

    let snapshot = store
        .snapshot(&trans_key("T1"), &cart.id, Some(&current.id))
        .await
        .unwrap();
    assert_eq!(snapshot.agreement, Some(current.clone()));
    assert_eq!(requests.take(), ["GetItem", "GetItem", "GetItem"]);

    let paid = commit(
        agreement_payment(&current, "T1", at(600)),
        delivery("d1", Some(&cart.id), at(600)),
    );
    assert_eq!(store.commit(&paid).await.unwrap(), CommitResult::Committed);
    assert_eq!(requests.take(), ["TransactWriteItems"]);
}

async fn raw_item(client: &Client, table: &str, pk: &str, sk: &str) -> Option<Item> {
    client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(pk.to_owned()))
        .key("sk", AttributeValue::S(sk.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("get item")
        .item
}

type Item = HashMap<String, AttributeValue>;

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// The layout the index and people rely on: `duePk` + `dueAt` exactly while the agreement
/// has a due time, a numeric version, a pointer from the cart, and the cart's plan as JSON.
#[tokio::test]
async fn agreements_are_in_the_due_index_only_while_due() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), table.clone());
    let cart = future_pay_cart("cart-1", regular_plan());
    store.insert_cart(&cart).await.unwrap();
    let current = agreement("193743", &cart.id);
    let created = store.commit(&sweep_commit(new_agreement(&current))).await;
    assert_eq!(created.unwrap(), CommitResult::Committed);

    let item = raw_item(&client, &table, "AGREEMENT#193743", "AGREEMENT")
        .await
        .expect("the agreement");
    assert_eq!(text(&item, "duePk").as_deref(), Some("DUE"));
    assert_eq!(
        text(&item, "dueAt").as_deref(),
        Some("2024-06-05T12:00:00.000000000Z")
    );
    assert_eq!(
        item.get("version"),
        Some(&AttributeValue::N("3".to_owned()))
    );
    let pointer = raw_item(&client, &table, "CART#cart-1", "AGREEMENT#193743").await;
    assert_eq!(
        pointer
            .as_ref()
            .and_then(|p| text(p, "futurePayId"))
            .as_deref(),
        Some("193743")
    );
    let cart_item = raw_item(&client, &table, "CART#cart-1", "CART")
        .await
        .unwrap();
    let plan: FuturePayPlan = serde_json::from_str(&text(&cart_item, "futurePay").unwrap())
        .expect("the plan as the domain's JSON");
    assert_eq!(Some(plan), cart.order.future_pay);

    let ended = current.ended(AgreementStatus::CancelledByCustomer);
    let result = store
        .commit(&sweep_commit(agreement_change(&current, ended)))
        .await;
    assert_eq!(result.unwrap(), CommitResult::Committed);
    let item = raw_item(&client, &table, "AGREEMENT#193743", "AGREEMENT")
        .await
        .unwrap();
    for gone in ["duePk", "dueAt", "cancelClaimBy", "cancelClaimUntil"] {
        assert!(
            !item.contains_key(gone),
            "{gone} left on an ended agreement"
        );
    }
    assert_eq!(
        item.get("version"),
        Some(&AttributeValue::N("4".to_owned()))
    );
    let due = store
        .due_agreements(at(1_000 * 86_400), None, limit(10))
        .await;
    assert_eq!(due.unwrap().agreements, []);
}

#[tokio::test]
async fn agreement_items_that_do_not_decode_are_corrupt() {
    let s = |text: &str| Some(AttributeValue::S(text.to_owned()));
    let number = |text: &str| Some(AttributeValue::N(text.to_owned()));
    let damages = [
        ("status", s("lost")),
        ("duePk", None),
        ("duePk", s("DUE#7")),
        ("dueAt", s("2024-06-05")),
        ("intervalMult", number("0")),
        ("intervalUnit", s("fortnight")),
        ("intervalUnit", None),
        ("version", s("3")),
        ("version", number("-1")),
        ("paymentsMade", number("1.5")),
        ("cancelClaimUntil", None),
        ("cancelClaimBy", None),
        ("futurePayId", s("")),
        ("cartId", None),
    ];
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client.clone(), table.clone());
    let cart = cart("cart-1");
    store.insert_cart(&cart).await.unwrap();
    let current = agreement("193743", &cart.id);
    let key =
        |update: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder| {
            update
                .table_name(&table)
                .key("pk", AttributeValue::S("AGREEMENT#193743".to_owned()))
                .key("sk", AttributeValue::S("AGREEMENT".to_owned()))
        };
    for (attribute, value) in damages {
        put_agreements(&store, std::slice::from_ref(&current)).await;
        let update = key(client.update_item()).expression_attribute_names("#a", attribute);
        let update = match value.clone() {
            Some(value) => update
                .update_expression("SET #a = :v")
                .expression_attribute_values(":v", value),
            None => update.update_expression("REMOVE #a"),
        };
        update.send().await.expect("damage the agreement");
        let read = store.agreement(&current.id).await;
        assert!(
            matches!(&read, Err(StoreError::Corrupt(m)) if m.to_string().contains(attribute)),
            "{attribute} = {value:?}: {read:?}"
        );
    }
    client
        .update_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("CART#cart-1".to_owned()))
        .key("sk", AttributeValue::S("CART".to_owned()))
        .update_expression("SET futurePay = :v")
        .expression_attribute_values(":v", AttributeValue::S("{\"type\":\"weekly\"}".to_owned()))
        .send()
        .await
        .unwrap();
    let read = store.cart(&cart.id).await;
    assert!(
        matches!(&read, Err(StoreError::Corrupt(m)) if m.to_string().contains("futurePay")),
        "{read:?}"
    );
}

/// Many agreements share a due time (overdue times fall on midnight): paging must neither
/// skip nor repeat any of them, whatever the page size, and must end.
#[tokio::test]
async fn due_pages_cover_ties_once_and_refuse_foreign_cursors() {
    let (client, table) = fresh_table().await;
    let store = DynamoStore::new(client, table);
    let cart = cart("cart-1");
    let midnight = at(10 * 86_400);
    let mut agreements: Vec<Agreement> = (0..12)
        .map(|i| due_agreement(&format!("{i:03}/x"), &cart.id, Some(midnight)))
        .collect();
    agreements.extend((12..17).map(|i| due_agreement(&format!("{i:03}"), &cart.id, Some(at(i)))));
    agreements.extend(
        (17..20).map(|i| due_agreement(&format!("{i:03}"), &cart.id, Some(at(20 * 86_400 + i)))),
    );
    put_agreements(&store, &agreements).await;
    let now = at(15 * 86_400);
    let mut expected: Vec<String> = agreements[..17].iter().map(|a| a.id.to_string()).collect();
    expected.sort();

    for size in [1, 2, 5, 12, 16, 17, 18] {
        let (mut seen, mut after, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let page = store
                .due_agreements(now, after.as_deref(), limit(size))
                .await
                .unwrap();
            pages += 1;
            assert!(page.agreements.len() <= size);
            seen.extend(page.agreements);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert!(
            seen.windows(2).all(|w| w[0].overdue_at <= w[1].overdue_at),
            "page size {size}: not earliest first"
        );
        let mut ids: Vec<String> = seen.iter().map(|a| a.id.to_string()).collect();
        ids.sort();
        assert_eq!(ids, expected, "page size {size}");
        assert_eq!(pages, 17_usize.div_ceil(size), "page size {size}: pages");
    }

    for cursor in [
        "",
        "garbage",
        "2024-05-11T12:00:00Z/000",
        "2024-05-11T12:00:00.000000000Z",
        "2024-05-11T12:00:00.000000000Z/",
        "2024-05-11T12:00:00.000000000Z/a\nb",
    ] {
        let page = store.due_agreements(now, Some(cursor), limit(5)).await;
        assert!(
            matches!(page, Err(StoreError::Corrupt(_))),
            "{cursor:?}: {page:?}"
        );
    }
}

/// What DynamoDB reported for each `Query` and `Scan` a client sent; the interceptor asks
/// for the consumed capacity on each.
#[derive(Debug, Default, Clone)]
struct ReadCost(Arc<Mutex<Vec<Read>>>);

#[derive(Debug, Clone)]
struct Read {
    operation: &'static str,
    count: i32,
    scanned: i32,
    capacity: Option<ConsumedCapacity>,
}

impl Read {
    fn units(&self) -> f64 {
        self.capacity
            .as_ref()
            .and_then(ConsumedCapacity::capacity_units)
            .unwrap_or(f64::NAN)
    }
}

impl ReadCost {
    fn take(&self) -> Vec<Read> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl Intercept for ReadCost {
    fn name(&self) -> &'static str {
        "ReadCost"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input_mut();
        if let Some(query) = input.downcast_mut::<QueryInput>() {
            query.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
        } else if let Some(scan) = input.downcast_mut::<ScanInput>() {
            scan.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        let read = if let Some(query) = output.downcast_ref::<QueryOutput>() {
            Read {
                operation: "Query",
                count: query.count,
                scanned: query.scanned_count,
                capacity: query.consumed_capacity.clone(),
            }
        } else if let Some(scan) = output.downcast_ref::<ScanOutput>() {
            Read {
                operation: "Scan",
                count: scan.count,
                scanned: scan.scanned_count,
                capacity: scan.consumed_capacity.clone(),
            }
        } else {
            return Ok(());
        };
        self.0.lock().unwrap().push(read);
        Ok(())
    }
}

/// The requirement: with 10,000 agreements of which 10 are due, the sweep's read
/// touches the 10 due ones and nothing else, as DynamoDB itself reports it.
#[tokio::test]
async fn due_agreements_read_only_the_due_ones_out_of_ten_thousand() {
    const TOTAL: i32 = 10_000;
    const DUE: i32 = 10;
    /// Agreements without a due time (ended, or limited ones without a schedule).
    const UNSCHEDULED: i32 = 1_000;
    let (client, table) = fresh_table().await;
    let cost = ReadCost::default();
    let config = client
        .config()
        .to_builder()
        .interceptor(cost.clone())
        .build();
    let client = Client::from_conf(config);
    let store = DynamoStore::new(client.clone(), table.clone());

    let now = at(30 * 86_400);
    let cart = cart("cart-1");
    let overdue_at = |i: i32| -> Option<OffsetDateTime> {
        match i {
            // Due, one an hour apart, the last exactly now.
            _ if i < DUE => Some(now - time::Duration::hours(i64::from(DUE - 1 - i))),
            // Not yet: in the index, but after `now`.
            _ if i < TOTAL - UNSCHEDULED => Some(now + time::Duration::seconds(i64::from(i))),
            _ => None,
        }
    };
    // Ids in an order unrelated to due times, so nothing is found by key order.
    let agreements: Vec<Agreement> = (0..TOTAL)
        .map(|i| {
            let id = format!("{:05}", (i64::from(i) * 7_919) % i64::from(TOTAL));
            due_agreement(&id, &cart.id, overdue_at(i))
        })
        .collect();
    let loading = Instant::now();
    put_agreements(&store, &agreements).await;
    eprintln!("loaded {TOTAL} agreements in {:?}", loading.elapsed());
    cost.take();

    let page = store.due_agreements(now, None, limit(100)).await.unwrap();
    let expected: Vec<&Agreement> = agreements.iter().take(10).collect();
    assert_eq!(page.agreements.iter().collect::<Vec<_>>(), expected);
    assert_eq!(page.next, None);
    let reads = cost.take();
    let [query] = reads.as_slice() else {
        panic!("one query: {reads:#?}");
    };
    eprintln!(
        "due_agreements(limit 100) over {TOTAL} agreements, {DUE} due: one {}, \
         Count {}, ScannedCount {}, {} RCU (eventually consistent), consumed capacity {:?}",
        query.operation,
        query.count,
        query.scanned,
        query.units(),
        query.capacity
    );
    assert_eq!((query.count, query.scanned), (DUE, DUE));
    if let Some(capacity) = &query.capacity {
        // Ten items of under 1 KB: one 4 KB read unit, halved for an eventually
        // consistent read. The whole index would be thousands of times more.
        let units = capacity.capacity_units.expect("capacity units");
        assert!(units <= 1.0, "{capacity:?}");
        let index = capacity
            .global_secondary_indexes
            .as_ref()
            .and_then(|indexes| indexes.get("due-agreements"));
        assert!(index.is_some(), "not read from the index: {capacity:?}");
    }

    // In pages of four: each page reads one more to know whether there is a next.
    let (mut after, mut seen) = (None::<String>, Vec::new());
    loop {
        let page = store
            .due_agreements(now, after.as_deref(), limit(4))
            .await
            .unwrap();
        seen.extend(page.agreements);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.iter().collect::<Vec<_>>(), expected);
    let reads = cost.take();
    let scanned: i32 = reads.iter().map(|r| r.scanned).sum();
    let units: f64 = reads.iter().map(Read::units).sum();
    eprintln!(
        "due_agreements(limit 4), all pages: {} Queries, ScannedCount {:?} = {scanned}, {units} RCU",
        reads.len(),
        reads.iter().map(|r| r.scanned).collect::<Vec<_>>(),
    );
    assert_eq!(reads.len(), 3);
    assert!(scanned <= DUE + 2, "{reads:#?}");

    // For scale: what reading the whole table costs, which the sweep never does.
    let mut pages = client
        .scan()
        .table_name(&table)
        .select(Select::Count)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        page.expect("scan");
    }
    let reads = cost.take();
    let scanned: i32 = reads.iter().map(|r| r.scanned).sum();
    let units: f64 = reads.iter().map(Read::units).sum();
    eprintln!(
        "for comparison, a Scan of the table: {} pages, ScannedCount {scanned}, {units} RCU",
        reads.len()
    );
    assert_eq!(scanned, TOTAL);
}

fn limit(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("a page limit is more than zero")
}
