use rusqlite::params;
use selectpay_domain::cart::{CartStatus, PaymentStatus};
use selectpay_domain::decision::{CartChange, Writes};
use selectpay_domain::futurepay::{AmountOption, End, FuturePayPlan, Interval, IntervalUnit};
use selectpay_domain::gateway::Gateway;
use selectpay_store_conformance::fixtures::{
    agreement, cart, delivery, future_pay_cart, money, new_agreement, payment, regular_plan,
    sweep_commit, trans_id, trans_key,
};
use time::macros::datetime;

use super::*;

const TEN: NonZeroUsize = NonZeroUsize::new(10).unwrap();

async fn execute(store: &SqliteStore, sql: String) {
    store
        .run(move |conn| conn.execute(&sql, []).map_err(sql_error))
        .await
        .expect("raw sql");
}

#[tokio::test]
async fn rows_that_do_not_decode_are_corrupt() {
    for damage in [
        "UPDATE carts SET status = 'lost'",
        "UPDATE carts SET currency = 'XXX'",
        "UPDATE carts SET amount_minor = -1",
        "UPDATE carts SET created_at = 'yesterday'",
        "UPDATE carts SET shopper = 'not json'",
        "UPDATE carts SET custom_fields = '[{\"name\":\"X_1\",\"value\":\"v\"}]'",
        "UPDATE carts SET paid_by = ''",
        "UPDATE carts SET description = CAST(X'c328' AS TEXT)",
        "UPDATE carts SET future_pay = 'not json'",
        "UPDATE carts SET future_pay = '{}'",
        &plan_json("1.00", 0),
        &plan_json("1.001", 1),
    ] {
        let store = SqliteStore::in_memory().unwrap();
        let cart = cart("cart-1");
        store.insert_cart(&cart).await.unwrap();
        execute(&store, damage.to_owned()).await;
        let read = store.cart(&cart.id).await;
        assert!(
            matches!(read, Err(StoreError::Corrupt(_))),
            "{damage}: {read:?}"
        );
        let recent = store.recent(10).await;
        assert!(
            matches!(recent, Err(StoreError::Corrupt(_))),
            "{damage}: {recent:?}"
        );
    }
}

/// A limited plan as stored, with the given limit in GBP and length in years.
fn plan_json(limit: &str, years: u16) -> String {
    format!(
        "UPDATE carts SET future_pay = '{{\"type\":\"limited\",\"option\":\"fixed\",\
         \"amount_limit\":{{\"amount\":\"{limit}\",\"currency\":\"GBP\"}},\
         \"end\":{{\"length\":{{\"unit\":\"year\",\"mult\":{years}}}}},\
         \"interval\":null}}'"
    )
}

/// The damaged plans above differ from a good one only where they are damaged.
#[tokio::test]
async fn a_stored_plan_decodes() {
    let store = SqliteStore::in_memory().unwrap();
    let cart = cart("cart-1");
    store.insert_cart(&cart).await.unwrap();
    execute(&store, plan_json("1.00", 1)).await;
    let read = store.cart(&cart.id).await.unwrap().unwrap().cart;
    assert_eq!(
        read.order.future_pay,
        Some(FuturePayPlan::Limited {
            option: AmountOption::Fixed,
            amount_limit: money("1.00", "GBP"),
            end: End::Length(Interval::new(IntervalUnit::Year, 1).unwrap()),
            interval: None,
        })
    );
}

/// Any read's value as text, so reads of different types can be checked alike.
fn shown<T: std::fmt::Debug>(read: Result<T, StoreError>) -> Result<String, StoreError> {
    read.map(|value| format!("{value:?}"))
}

#[tokio::test]
async fn agreement_rows_that_do_not_decode_are_corrupt() {
    for damage in [
        "UPDATE agreements SET status = 'lost'",
        "UPDATE agreements SET interval_unit = 'fortnight'",
        "UPDATE agreements SET interval_mult = 0",
        "UPDATE agreements SET interval_mult = 70000",
        "UPDATE agreements SET interval_mult = NULL",
        "UPDATE agreements SET interval_unit = NULL",
        "UPDATE agreements SET payments_expected = -1",
        "UPDATE agreements SET payments_made = 4294967296",
        "UPDATE agreements SET payments_declined = -2",
        "UPDATE agreements SET cancel_failures = -1",
        "UPDATE agreements SET version = -1",
        "UPDATE agreements SET last_payment_at = 'yesterday'",
        "UPDATE agreements SET overdue_at = '2024-05-01'",
        "UPDATE agreements SET claim_until = NULL",
        "UPDATE agreements SET claim_by = NULL",
        "UPDATE agreements SET claim_until = 'soon'",
        "UPDATE agreements SET created_at = 'yesterday'",
        "UPDATE agreements SET cart_id = ''",
        "UPDATE agreements SET shopper_email = CAST(X'c328' AS TEXT)",
        "UPDATE agreements SET id = ''",
    ] {
        let store = SqliteStore::in_memory().unwrap();
        let cart = cart("cart-1");
        store.insert_cart(&cart).await.unwrap();
        let stored = agreement("193743", &cart.id);
        let result = store
            .commit(&sweep_commit(new_agreement(&stored)))
            .await
            .unwrap();
        assert_eq!(result, CommitResult::Committed);
        execute(&store, damage.to_owned()).await;

        let corrupt = |what: &str, read: Result<String, StoreError>| {
            assert!(
                matches!(read, Err(StoreError::Corrupt(_))),
                "{damage}: {what} gave {read:?}"
            );
        };
        let far = datetime!(2100-01-01 00:00 UTC);
        corrupt("agreements", shown(store.agreements(10).await));
        corrupt("due", shown(store.due_agreements(far, None, TEN).await));
        if !damage.contains(" id =") {
            corrupt("agreement", shown(store.agreement(&stored.id).await));
            let key = trans_key("T1");
            let snapshot = store.snapshot(&key, &cart.id, Some(&stored.id)).await;
            corrupt("snapshot", shown(snapshot));
        }
        if !damage.contains("cart_id") {
            corrupt("cart", shown(store.cart(&cart.id).await));
        }
    }
}

/// The due list reads the partial index in its own order: no scan, no sort.
#[tokio::test]
async fn due_agreements_read_the_sparse_index() {
    let store = SqliteStore::in_memory().unwrap();
    let plan = store
        .run(|conn| {
            let sql = format!("EXPLAIN QUERY PLAN {}", queries::DUE_AGREEMENTS);
            let mut statement = conn.prepare(&sql).map_err(sql_error)?;
            let rows = statement
                .query_map(params!["", "", "", 1], |row| row.get::<_, String>(3))
                .map_err(sql_error)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(sql_error)
        })
        .await
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("USING INDEX agreements_due"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[tokio::test]
async fn a_bad_cursor_is_corrupt() {
    let store = SqliteStore::in_memory().unwrap();
    let read = store
        .due_agreements(datetime!(2100-01-01 00:00 UTC), Some("2024~zz"), TEN)
        .await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
}

/// A database made before FuturePay gains the plan column and the agreements table when
/// opened; its carts read back with no plan, as WorldPay's.
#[tokio::test]
async fn a_database_from_before_futurepay_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("selectpay.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(
        "CREATE TABLE carts (
            id TEXT PRIMARY KEY NOT NULL,
            amount_minor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            description TEXT NOT NULL,
            shopper TEXT NOT NULL,
            custom_fields TEXT NOT NULL,
            status TEXT NOT NULL,
            paid_by TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
        INSERT INTO carts VALUES ('old-cart', 1499, 'GBP', 'Two tickets', '{}', '[]',
                                  'paid', 'T1', '2024-05-01T12:00:00.000000000Z');",
    )
    .unwrap();
    drop(old);

    let store = SqliteStore::open(&path).unwrap();
    let old_cart = store
        .cart(&cart("old-cart").id)
        .await
        .unwrap()
        .unwrap()
        .cart;
    assert_eq!(old_cart.order.future_pay, None);
    assert_eq!(old_cart.order.gateway, Gateway::WorldPay);
    assert_eq!(old_cart.paid_by, Some(trans_id("T1")));
    let new_cart = future_pay_cart("cart-1", regular_plan());
    store.insert_cart(&new_cart).await.unwrap();
    drop(store);

    let store = SqliteStore::open(&path).unwrap();
    let read = store.cart(&new_cart.id).await.unwrap().unwrap();
    assert_eq!(read.cart, new_cart);
    assert!(read.agreements.is_empty());
}

#[tokio::test]
async fn a_file_store_is_in_wal_mode_and_keeps_data_when_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("selectpay.db");
    let cart = cart("cart-1");
    SqliteStore::open(&path)
        .unwrap()
        .insert_cart(&cart)
        .await
        .unwrap();
    let store = SqliteStore::open(&path).unwrap();
    let record = store.cart(&cart.id).await.unwrap().unwrap();
    assert_eq!(record.cart, cart);
    let mode = store
        .run(|conn| {
            conn.query_row("PRAGMA journal_mode", [], |row| row.get::<_, String>(0))
                .map_err(sql_error)
        })
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Writes that cannot all be made leave no trace, not even the delivery.
#[tokio::test]
async fn a_write_that_fails_rolls_back_the_whole_commit() {
    let store = SqliteStore::in_memory().unwrap();
    let missing = cart("no-such-cart");
    let paid = |trans: &str| Writes {
        payment: Some(payment(
            &missing.id,
            trans,
            PaymentStatus::Accepted,
            missing.created_at,
        )),
        ..Writes::default()
    };
    let first = Commit {
        writes: paid("T1"),
        delivery: Some(delivery("d1", None, missing.created_at)),
    };
    store.commit(&first).await.unwrap();

    let unknown_cart = Commit {
        writes: Writes {
            cart_change: Some(CartChange {
                cart_id: missing.id.clone(),
                status: CartStatus::Paid,
                paid_by: Some(trans_id("T2")),
            }),
            ..paid("T2")
        },
        delivery: Some(delivery("d2", None, missing.created_at)),
    };
    let result = store.commit(&unknown_cart).await;
    assert!(
        matches!(result, Err(StoreError::Invariant(_))),
        "{result:?}"
    );

    let same_payment = Commit {
        delivery: Some(delivery("d3", None, missing.created_at)),
        ..first
    };
    let result = store.commit(&same_payment).await;
    assert!(
        matches!(result, Err(StoreError::AlreadyExists)),
        "{result:?}"
    );

    let activity = store.recent(10).await.unwrap();
    let deliveries: Vec<_> = activity.deliveries.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(deliveries, ["d1"]);
    assert_eq!(activity.payments.len(), 1);
}
