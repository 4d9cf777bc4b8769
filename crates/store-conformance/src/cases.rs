//! The cases. Each takes a fresh, empty store and panics if the store misbehaves.

use std::sync::Arc;

use selectpay_domain::cart::{Cart, CartState, CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::decision::{CartChange, Condition, Snapshot, Writes};
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::{Mail, StoredMail};
use selectpay_domain::ports::{Activity, CartRecord, CommitResult, Delivery, Store, StoreError};

use crate::fixtures::{
    at, cart, cart_id, cart_is, commit, delivery, happy_path, mail, money, payment, trans_id,
    trans_key,
};

/// Far enough that every fixture mail was created before it.
fn later() -> time::OffsetDateTime {
    at(86_400)
}

async fn insert<S: Store>(store: &S, cart: &Cart) {
    store.insert_cart(cart).await.expect("insert cart");
}

async fn apply<S: Store>(store: &S, writes: Writes, delivery: Delivery) -> CommitResult {
    store
        .commit(&commit(writes, delivery))
        .await
        .expect("commit")
}

async fn record<S: Store>(store: &S, id: &CartId) -> CartRecord {
    store
        .cart(id)
        .await
        .expect("read cart")
        .expect("cart exists")
}

async fn recent<S: Store>(store: &S) -> Activity {
    store.recent(1000).await.expect("recent")
}

async fn pending<S: Store>(store: &S) -> Vec<Mail> {
    store
        .pending_mail(later(), 1000)
        .await
        .expect("pending mail")
}

fn by_id(mut mails: Vec<Mail>) -> Vec<Mail> {
    mails.sort_by(|a, b| a.id.cmp(&b.id));
    mails
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

/// Everything a store shows, to prove a refused commit left no trace anywhere.
#[derive(Debug, PartialEq)]
struct Everything {
    cart: Option<CartRecord>,
    snapshot: Snapshot,
    activity: Activity,
    pending: Vec<Mail>,
}

async fn everything<S: Store>(store: &S, key: &str, cart_id: &CartId) -> Everything {
    Everything {
        cart: store.cart(cart_id).await.expect("read cart"),
        snapshot: store.snapshot(key, cart_id).await.expect("snapshot"),
        activity: recent(store).await,
        pending: pending(store).await,
    }
}

/// Commits `writes` with a delivery, expects a condition to fail, and checks that nothing at
/// all changed: no outcome, payment, cart change, delivery or mail.
async fn refused<S: Store>(store: &S, cart_id: &CartId, writes: Writes) {
    let key = writes
        .saved_outcome
        .as_ref()
        .map_or_else(String::new, |saved| saved.key.clone());
    let before = everything(store, &key, cart_id).await;
    let result = apply(store, writes, delivery("refused", Some(cart_id), at(300))).await;
    assert_eq!(result, CommitResult::ConditionFailed);
    assert_eq!(
        everything(store, &key, cart_id).await,
        before,
        "a commit whose condition failed wrote something"
    );
}

/// Happy-path writes for `trans` on `cart` whose conditions are replaced by `conditions`.
fn guarded(cart: &Cart, trans: &str, conditions: Vec<Condition>) -> Writes {
    Writes {
        conditions,
        ..happy_path(cart, trans)
    }
}

pub async fn cart_round_trips_every_field<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let record = record(&store, &cart.id).await;
    assert_eq!(record.cart, cart);
    assert!(record.payments.is_empty());
    assert!(record.mails.is_empty());
}

pub async fn inserting_a_cart_twice_is_refused<S: Store>(store: S) {
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

pub async fn unknown_cart_is_none<S: Store>(store: S) {
    insert(&store, &cart("cart-1")).await;
    assert_eq!(store.cart(&cart_id("cart-2")).await.expect("read"), None);
}

pub async fn commit_applies_every_write<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let writes = happy_path(&cart, "T1");
    let delivery = delivery("d1", Some(&cart.id), at(60));
    let result = apply(&store, writes.clone(), delivery.clone()).await;
    assert_eq!(result, CommitResult::Committed);

    let snapshot = store
        .snapshot(&trans_key("T1"), &cart.id)
        .await
        .expect("snapshot");
    assert_eq!(snapshot.saved, writes.saved_outcome);

    let record = record(&store, &cart.id).await;
    let paid = Cart {
        status: CartStatus::Paid,
        paid_by: Some(trans_id("T1")),
        ..cart
    };
    assert_eq!(record.cart, paid);
    assert_eq!(record.payments, Vec::from_iter(writes.payment.clone()));
    let mut stored = record.mails;
    stored.sort_by(|a, b| a.mail.id.cmp(&b.mail.id));
    let unsent: Vec<_> = by_id(writes.mails.clone())
        .into_iter()
        .map(|mail| StoredMail {
            mail,
            sent_at: None,
        })
        .collect();
    assert_eq!(stored, unsent);
    assert_eq!(by_id(pending(&store).await), by_id(writes.mails));

    let activity = recent(&store).await;
    assert_eq!(activity.deliveries, vec![delivery]);
    assert_eq!(activity.payments, Vec::from_iter(writes.payment));
}

pub async fn commit_records_a_payment_for_an_unknown_cart<S: Store>(store: S) {
    let unknown = cart("no-such-cart");
    let writes = Writes {
        conditions: vec![
            Condition::OutcomeAbsent(trans_key("T1")),
            Condition::CartAbsent(unknown.id.clone()),
        ],
        payment: Some(payment(
            &unknown.id,
            "T1",
            PaymentStatus::Review(ReviewReason::UnknownCart),
            at(60),
        )),
        cart_change: None,
        ..happy_path(&unknown, "T1")
    };
    let result = apply(
        &store,
        writes.clone(),
        delivery("d1", Some(&unknown.id), at(60)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(store.cart(&unknown.id).await.expect("read"), None);
    assert_eq!(
        recent(&store).await.payments,
        Vec::from_iter(writes.payment)
    );
    let snapshot = store
        .snapshot(&trans_key("T1"), &unknown.id)
        .await
        .expect("snapshot");
    assert_eq!(snapshot.saved, writes.saved_outcome);
    assert_eq!(snapshot.cart, None);
}

pub async fn outcome_absent_fails_when_the_outcome_is_saved<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let first = apply(
        &store,
        happy_path(&cart, "T1"),
        delivery("d1", Some(&cart.id), at(60)),
    );
    assert_eq!(first.await, CommitResult::Committed);
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T2")),
        Condition::OutcomeAbsent(trans_key("T1")),
    ];
    refused(&store, &cart.id, guarded(&cart, "T2", conditions)).await;
}

pub async fn cart_absent_fails_when_the_cart_exists<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        Condition::CartAbsent(cart.id.clone()),
    ];
    refused(&store, &cart.id, guarded(&cart, "T1", conditions)).await;
}

/// On a pending cart, `CartIs` with the cart's state changed by `alter` must fail.
async fn cart_is_fails_when<S: Store>(store: S, alter: impl FnOnce(&mut CartState)) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let mut state = CartState::from(&cart);
    alter(&mut state);
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        cart_is(&cart.id, state),
    ];
    refused(&store, &cart.id, guarded(&cart, "T1", conditions)).await;
}

pub async fn cart_is_fails_on_another_status<S: Store>(store: S) {
    cart_is_fails_when(store, |state| state.status = CartStatus::Cancelled).await;
}

pub async fn cart_is_fails_on_another_amount<S: Store>(store: S) {
    cart_is_fails_when(store, |state| state.amount = money("15.00", "GBP")).await;
}

/// Same minor units, other currency: a store must compare the currency too.
pub async fn cart_is_fails_on_another_currency<S: Store>(store: S) {
    cart_is_fails_when(store, |state| state.amount = money("14.99", "EUR")).await;
}

/// A cart paid by T1: a condition naming T3 fails, one naming T1 holds (a double payment).
pub async fn cart_is_fails_on_another_payer<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let first = apply(
        &store,
        happy_path(&cart, "T1"),
        delivery("d1", Some(&cart.id), at(60)),
    );
    assert_eq!(first.await, CommitResult::Committed);
    let paid_by = |trans: &str| {
        cart_is(
            &cart.id,
            CartState {
                status: CartStatus::Paid,
                amount: cart.order.amount,
                paid_by: Some(trans_id(trans)),
            },
        )
    };
    let double = |payer: &str| Writes {
        conditions: vec![Condition::OutcomeAbsent(trans_key("T2")), paid_by(payer)],
        payment: Some(payment(
            &cart.id,
            "T2",
            PaymentStatus::DoublePayment,
            at(120),
        )),
        cart_change: None,
        ..happy_path(&cart, "T2")
    };
    refused(&store, &cart.id, double("T3")).await;

    let result = apply(
        &store,
        double("T1"),
        delivery("d2", Some(&cart.id), at(120)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);
    let record = record(&store, &cart.id).await;
    assert_eq!(record.cart.paid_by, Some(trans_id("T1")));
    assert_eq!(record.payments.len(), 2);
}

pub async fn cart_is_fails_when_the_cart_is_missing<S: Store>(store: S) {
    let cart = cart("cart-1");
    refused(&store, &cart.id, happy_path(&cart, "T1")).await;
}

/// An alert is guarded by its own id: written once, refused after, with all else intact.
pub async fn mail_absent_fails_when_the_mail_exists<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let alert = mail("alert#1", Some(&cart.id), at(10));
    let result = apply(
        &store,
        Writes::alert(alert.clone()),
        delivery("d1", None, at(10)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);

    let mut again = mail("alert#1", Some(&cart.id), at(20));
    again.subject = "the same alert, reported again".to_owned();
    refused(&store, &cart.id, Writes::alert(again)).await;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        cart_is(&cart.id, CartState::from(&cart)),
        Condition::MailAbsent("alert#1".to_owned()),
    ];
    refused(&store, &cart.id, guarded(&cart, "T1", conditions)).await;
    assert_eq!(pending(&store).await, vec![alert]);
}

pub async fn commit_without_conditions_always_commits<S: Store>(store: S) {
    let id = cart_id("cart-1");
    let first = mail("alert#1", Some(&id), at(10));
    let writes = Writes {
        mails: vec![first.clone()],
        ..Writes::default()
    };
    let result = apply(&store, writes, delivery("d1", None, at(10))).await;
    assert_eq!(result, CommitResult::Committed);

    let mut second = mail("alert#1", None, at(20));
    second.subject = "a second report of the same event".to_owned();
    let writes = Writes {
        mails: vec![second],
        ..Writes::default()
    };
    let result = apply(&store, writes, delivery("d2", None, at(20))).await;
    assert_eq!(
        result,
        CommitResult::Committed,
        "a known mail id must not fail a commit"
    );

    assert_eq!(pending(&store).await, vec![first]);
    let activity = recent(&store).await;
    assert_eq!(ids(&activity.mails, |m| m.mail.id.clone()), ["alert#1"]);
    assert_eq!(ids(&activity.deliveries, |d| d.id.clone()), ["d2", "d1"]);
}

pub async fn snapshot_reads_the_saved_outcome_and_the_cart<S: Store>(store: S) {
    let cart = cart("cart-1");
    let empty = Snapshot {
        saved: None,
        cart: None,
    };
    let shared = &store;
    let snapshot = move |key: String, id: CartId| async move {
        shared.snapshot(&key, &id).await.expect("snapshot")
    };
    assert_eq!(snapshot(trans_key("T1"), cart.id.clone()).await, empty);

    insert(&store, &cart).await;
    assert_eq!(
        snapshot(trans_key("T1"), cart.id.clone()).await,
        Snapshot {
            saved: None,
            cart: Some(CartState::from(&cart)),
        }
    );

    let writes = happy_path(&cart, "T1");
    let result = apply(
        &store,
        writes.clone(),
        delivery("d1", Some(&cart.id), at(60)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);
    let paid = CartState {
        status: CartStatus::Paid,
        amount: cart.order.amount,
        paid_by: Some(trans_id("T1")),
    };
    // Compared as strings, i.e. byte for byte: a repeat must get the very same page.
    let saved = writes.saved_outcome.expect("happy path saves an outcome");
    assert_eq!(
        snapshot(trans_key("T1"), cart.id.clone()).await,
        Snapshot {
            saved: Some(saved.clone()),
            cart: Some(paid),
        }
    );
    assert_eq!(
        snapshot(trans_key("T1"), cart_id("cart-2")).await,
        Snapshot {
            saved: Some(saved),
            cart: None,
        }
    );
    assert_eq!(snapshot(trans_key("T2"), cart_id("cart-2")).await, empty);
}

pub async fn pending_mail_is_oldest_first_before_the_cutoff<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    // Written out of order, across commits, so order must come from created_at.
    for (n, seconds) in [(3, 30), (1, 10), (4, 40), (2, 20)] {
        let writes = Writes {
            mails: vec![mail(&format!("m{n}"), Some(&cart.id), at(seconds))],
            ..Writes::default()
        };
        let result = apply(
            &store,
            writes,
            delivery(&format!("d{n}"), None, at(seconds)),
        )
        .await;
        assert_eq!(result, CommitResult::Committed);
    }
    let shared = &store;
    let pending_ids = move |before, limit| async move {
        let mails = shared.pending_mail(before, limit).await.expect("pending");
        ids(&mails, |m| m.id.clone())
    };
    assert_eq!(
        pending_ids(at(30), 10).await,
        ["m1", "m2"],
        "strictly before"
    );
    assert_eq!(pending_ids(later(), 3).await, ["m1", "m2", "m3"]);
    assert!(pending_ids(at(10), 10).await.is_empty());

    store.mark_mail_sent("m1", at(50)).await.expect("mark sent");
    assert_eq!(pending_ids(later(), 10).await, ["m2", "m3", "m4"]);
    let mut mails = record(&store, &cart.id).await.mails;
    mails.sort_by(|a, b| a.mail.id.cmp(&b.mail.id));
    let sent: Vec<_> = mails
        .iter()
        .map(|m| (m.mail.id.as_str(), m.sent_at))
        .collect();
    assert_eq!(
        sent,
        [
            ("m1", Some(at(50))),
            ("m2", None),
            ("m3", None),
            ("m4", None)
        ]
    );
}

pub async fn concurrent_commits_apply_once<S: Store + 'static>(store: S) {
    let store = Arc::new(store);
    let cart = cart("cart-1");
    insert(store.as_ref(), &cart).await;
    let writes = happy_path(&cart, "T1");
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let store = Arc::clone(&store);
            let commit = commit(
                writes.clone(),
                delivery(&format!("d{n}"), Some(&cart.id), at(60)),
            );
            tokio::spawn(async move { store.commit(&commit).await.expect("commit") })
        })
        .collect();
    let mut committed = 0;
    for task in tasks {
        if task.await.expect("task") == CommitResult::Committed {
            committed += 1;
        }
    }
    assert_eq!(
        committed, 1,
        "exactly one of 50 identical commits may apply"
    );

    let record = record(store.as_ref(), &cart.id).await;
    assert_eq!(record.payments.len(), 1);
    assert_eq!(record.mails.len(), writes.mails.len());
    assert_eq!(by_id(pending(store.as_ref()).await), by_id(writes.mails));
    assert_eq!(recent(store.as_ref()).await.deliveries.len(), 1);
}

pub async fn recent_is_newest_first_and_limited<S: Store>(store: S) {
    // Created out of order so that neither insertion order nor ids give the answer.
    for (n, seconds) in [(1, 1), (2, 3), (3, 2)] {
        let cart = Cart {
            created_at: at(seconds),
            ..cart(&format!("cart-{n}"))
        };
        insert(&store, &cart).await;
        let writes = Writes {
            payment: Some(payment(
                &cart.id,
                &format!("T{n}"),
                PaymentStatus::Accepted,
                at(10 + seconds),
            )),
            mails: vec![mail(&format!("m{n}"), Some(&cart.id), at(10 + seconds))],
            ..Writes::default()
        };
        let delivery = delivery(&format!("d{n}"), Some(&cart.id), at(10 + seconds));
        assert_eq!(
            apply(&store, writes, delivery).await,
            CommitResult::Committed
        );
    }
    let activity = store.recent(2).await.expect("recent");
    assert_eq!(
        ids(&activity.carts, |c| c.id.to_string()),
        ["cart-2", "cart-3"]
    );
    assert_eq!(
        ids(&activity.payments, |p| p.trans_id.to_string()),
        ["T2", "T3"]
    );
    assert_eq!(ids(&activity.deliveries, |d| d.id.clone()), ["d2", "d3"]);
    assert_eq!(ids(&activity.mails, |m| m.mail.id.clone()), ["m2", "m3"]);

    let all = recent(&store).await;
    assert_eq!(
        ids(&all.carts, |c| c.id.to_string()),
        ["cart-2", "cart-3", "cart-1"]
    );
    assert_eq!(ids(&all.deliveries, |d| d.id.clone()), ["d2", "d3", "d1"]);
}

/// Writes the domain never makes unguarded must fail the commit, not half-apply: a cart
/// change for a missing cart (a store must not create the cart) and a payment recorded
/// twice. Either leaves no trace, not even the delivery.
pub async fn a_write_that_cannot_be_made_leaves_no_trace<S: Store>(store: S) {
    let missing = cart("no-such-cart");
    let paid = |trans: &str| Writes {
        payment: Some(payment(&missing.id, trans, PaymentStatus::Accepted, at(60))),
        ..Writes::default()
    };
    let first = commit(paid("T1"), delivery("d1", None, at(60)));
    assert_eq!(
        store.commit(&first).await.expect("commit"),
        CommitResult::Committed
    );

    let change = Writes {
        cart_change: Some(CartChange {
            cart_id: missing.id.clone(),
            status: CartStatus::Paid,
            paid_by: Some(trans_id("T2")),
        }),
        ..paid("T2")
    };
    let result = store
        .commit(&commit(change, delivery("d2", None, at(61))))
        .await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "cart change for a missing cart gave {result:?}"
    );
    assert_eq!(store.cart(&missing.id).await.expect("read"), None);

    let again = commit(paid("T1"), delivery("d3", None, at(62)));
    let result = store.commit(&again).await;
    assert!(
        matches!(result, Err(StoreError::AlreadyExists)),
        "the same payment twice gave {result:?}"
    );

    let activity = recent(&store).await;
    assert_eq!(ids(&activity.deliveries, |d| d.id.clone()), ["d1"]);
    assert_eq!(ids(&activity.payments, |p| p.trans_id.to_string()), ["T1"]);
}

/// Marking a mail that does not exist changes nothing; in particular it does not create one.
pub async fn marking_an_unknown_mail_sent_changes_nothing<S: Store>(store: S) {
    store
        .mark_mail_sent("no-such-mail", at(50))
        .await
        .expect("mark sent");
    assert_eq!(recent(&store).await, Activity::default());
    assert!(pending(&store).await.is_empty());
}
