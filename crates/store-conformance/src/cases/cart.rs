//! Carts: inserted once, read back whole (with a FuturePay plan and exact times), and
//! refused as `Corrupt` when stored data breaks the domain's own checks.

use super::*;

pub(super) async fn cart_round_trips_every_field<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let record = record(&store, &cart.id).await;
    assert_eq!(record.cart, cart);
    assert!(record.payments.is_empty());
    assert!(record.mails.is_empty());
    assert!(record.agreements.is_empty());
}

pub(super) async fn inserting_a_cart_twice_is_refused<S: Subject>(store: S) {
    let original = cart("cart-1");
    insert(&store, &original).await;
    let mut again = cart("cart-1");
    again.order.amount = money("1.00", "EUR");
    again.order.description = "something else".to_owned();
    let result = store.insert_cart(&again).await;
    assert!(
        matches!(result, Err(StoreError::AlreadyExists)),
        "second insert gave {result:?}"
    );
    assert_eq!(record(&store, &original.id).await.cart, original);
}

pub(super) async fn unknown_cart_is_none<S: Subject>(store: S) {
    insert(&store, &cart("cart-1")).await;
    assert_eq!(store.cart(&cart_id("cart-2")).await.expect("read"), None);
}

/// A cart's FuturePay plan, of every kind, comes back with the cart and in its snapshot
/// state; `CartIs` does not name the plan, so it holds on such a cart.
pub(super) async fn a_future_pay_plan_round_trips_with_its_cart<S: Subject>(store: S) {
    use selectpay_domain::futurepay::{AmountOption, End, FuturePayPlan, IntervalUnit, Start};

    use crate::fixtures::interval;
    let mut limited = future_pay_cart("cart-2", limited_plan());
    limited.order.amount = money("0.000", "KWD");
    let delayed = future_pay_cart(
        "cart-3",
        FuturePayPlan::Regular {
            option: AmountOption::Fixed,
            start: Start::Delay(interval(IntervalUnit::Day, 3)),
            interval: None,
            payments: 1,
            initial_amount: None,
            normal_amount: Some(money("1000", "JPY")),
        },
    );
    let until = future_pay_cart(
        "cart-4",
        FuturePayPlan::Limited {
            option: AmountOption::Adjustable,
            amount_limit: money("99.99", "EUR"),
            end: End::Date(time::macros::date!(2025 - 12 - 31)),
            interval: None,
        },
    );
    let regular = future_pay_cart("cart-1", regular_plan());
    let carts = [regular.clone(), limited, delayed, until];
    for cart in &carts {
        insert(&store, cart).await;
        assert_eq!(&record(&store, &cart.id).await.cart, cart);
        let snapshot = store
            .snapshot(&trans_key("T1"), &cart.id, None)
            .await
            .expect("snapshot");
        assert_eq!(snapshot.cart, Some(CartState::from(cart)));
    }
    let mut listed = recent(&store).await.carts;
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listed, carts);

    let result = apply(
        &store,
        happy_path(&regular, "T1"),
        delivery("d1", Some(&regular.id), at(60)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);
    let paid = record(&store, &regular.id).await.cart;
    assert_eq!(paid.status, CartStatus::Paid);
    assert_eq!(paid.order.future_pay, Some(regular_plan()));
}

/// Times keep their nanoseconds and come back in UTC, whatever offset they were written in.
pub(super) async fn times_keep_nanoseconds_and_come_back_in_utc<S: Subject>(store: S) {
    let created_at = time::macros::datetime!(2024-05-01 14:00:00.123456789 +02:00);
    let cart = Cart {
        created_at,
        ..cart("cart-1")
    };
    insert(&store, &cart).await;
    let read = record(&store, &cart.id).await.cart.created_at;
    assert_eq!(read, created_at);
    assert_eq!(read.offset(), time::UtcOffset::UTC);
}

/// A stored plan is read through the plan's own checks: an interval multiplier of 0, or a
/// plan that breaks WorldPay's rules, is `Corrupt` from every read (a bug, not an outage),
/// on every store alike.
pub(super) async fn a_stored_plan_that_breaks_the_domains_checks_is_corrupt<S: Subject>(
    store: S,
) {
    let good = future_pay_cart("cart-1", regular_plan());
    insert(&store, &good).await;
    let plan = serde_json::to_value(good.order.future_pay.as_ref()).expect("plan as JSON");
    let mut zero = plan.clone();
    zero["interval"]["mult"] = 0.into();
    let mut no_normal_amount = plan;
    no_normal_amount["normal_amount"] = serde_json::Value::Null;
    for damaged in [zero, no_normal_amount] {
        store.overwrite_plan(&good.id, &damaged.to_string()).await;
        let read = store.cart(&good.id).await;
        assert!(
            matches!(read, Err(StoreError::Corrupt(_))),
            "{damaged}: cart gave {read:?}"
        );
        let snapshot = store.snapshot(&trans_key("T1"), &good.id, None).await;
        assert!(
            matches!(snapshot, Err(StoreError::Corrupt(_))),
            "{damaged}: snapshot gave {snapshot:?}"
        );
    }
}
