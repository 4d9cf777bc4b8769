//! The cases. Each takes a fresh, empty store and panics if the store misbehaves.

use std::collections::HashSet;
use std::sync::Arc;

use selectpay_domain::cart::{Cart, CartState, CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::decision::{CartChange, Condition, Snapshot, Writes};
use selectpay_domain::futurepay::{Agreement, AgreementStatus};
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail::{Mail, StoredMail};
use selectpay_domain::ports::{
    Activity, AgreementPage, CartRecord, CommitResult, Delivery, Store, StoreError,
};
use time::{Duration, OffsetDateTime};

use crate::fixtures::{
    agreement, agreement_change, agreement_created, agreement_payment, at, bare_agreement, cart,
    cart_id, cart_is, commit, delivery, due_agreement, future_pay_cart, future_pay_id, happy_path,
    limited_plan, mail, money, new_agreement, payment, regular_plan, sweep_commit, trans_id,
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

/// Far enough that every fixture agreement is due by then.
fn end_of_days() -> OffsetDateTime {
    at(100 * 365 * 86_400)
}

async fn stored_agreement<S: Store>(store: &S, id: &FuturePayId) -> Option<Agreement> {
    store.agreement(id).await.expect("read agreement")
}

async fn due<S: Store>(store: &S, now: OffsetDateTime) -> Vec<Agreement> {
    let page = store
        .due_agreements(now, None, 1000)
        .await
        .expect("due agreements");
    assert_eq!(page.next, None, "a page with room to spare is the last");
    page.agreements
}

fn agreement_ids(agreements: &[Agreement]) -> Vec<String> {
    ids(agreements, |a| a.id.to_string())
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Commits the creation of `agreement`, which must succeed.
async fn create_agreement<S: Store>(store: &S, agreement: &Agreement) {
    let result = store
        .commit(&sweep_commit(new_agreement(agreement)))
        .await
        .expect("commit");
    assert_eq!(result, CommitResult::Committed, "creating {}", agreement.id);
}

/// Everything a store shows, to prove a refused commit left no trace anywhere.
#[derive(Debug, PartialEq)]
struct Everything {
    cart: Option<CartRecord>,
    snapshot: Snapshot,
    agreement: Option<Agreement>,
    agreements: Vec<Agreement>,
    due: AgreementPage,
    activity: Activity,
    pending: Vec<Mail>,
}

async fn everything<S: Store>(
    store: &S,
    key: &str,
    cart_id: &CartId,
    agreement: Option<&FuturePayId>,
) -> Everything {
    Everything {
        cart: store.cart(cart_id).await.expect("read cart"),
        snapshot: store
            .snapshot(key, cart_id, agreement)
            .await
            .expect("snapshot"),
        agreement: match agreement {
            Some(id) => stored_agreement(store, id).await,
            None => None,
        },
        agreements: store.agreements(1000).await.expect("agreements"),
        due: store
            .due_agreements(end_of_days(), None, 1000)
            .await
            .expect("due agreements"),
        activity: recent(store).await,
        pending: pending(store).await,
    }
}

/// The agreement `writes` are about: the one they write, or else the one a condition names.
fn agreement_of(writes: &Writes) -> Option<FuturePayId> {
    let named = writes.conditions.iter().find_map(|c| match c {
        Condition::AgreementAbsent(id) | Condition::AgreementAt { id, .. } => Some(id.clone()),
        _ => None,
    });
    writes.agreement.as_ref().map(|a| a.id.clone()).or(named)
}

/// Commits `writes` with a delivery, expects a condition to fail, and checks that nothing at
/// all changed: no outcome, payment, cart change, agreement change, delivery or mail.
async fn refused<S: Store>(store: &S, cart_id: &CartId, writes: Writes) {
    let key = writes
        .saved_outcome
        .as_ref()
        .map_or_else(String::new, |saved| saved.key.clone());
    let agreement = agreement_of(&writes);
    let before = everything(store, &key, cart_id, agreement.as_ref()).await;
    let result = apply(store, writes, delivery("refused", Some(cart_id), at(300))).await;
    assert_eq!(result, CommitResult::ConditionFailed);
    assert_eq!(
        everything(store, &key, cart_id, agreement.as_ref()).await,
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
    assert!(record.agreements.is_empty());
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
        .snapshot(&trans_key("T1"), &cart.id, None)
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
        .snapshot(&trans_key("T1"), &unknown.id, None)
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

/// A decision assumed without reading assumes the cart sells no plan: a plan cart must
/// refuse it, and a cart without one must refuse a condition that says it has one.
pub async fn cart_is_fails_on_whether_it_sells_a_plan<S: Store>(store: S) {
    let plan_cart = future_pay_cart("cart-plan", regular_plan());
    insert(&store, &plan_cart).await;
    let mut state = CartState::from(&plan_cart);
    state.future_pay = None;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        cart_is(&plan_cart.id, state),
    ];
    refused(&store, &plan_cart.id, guarded(&plan_cart, "T1", conditions)).await;
    cart_is_fails_when(store, |state| state.future_pay = Some(regular_plan())).await;
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
                future_pay: None,
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
        agreement: None,
    };
    let shared = &store;
    let snapshot = move |key: String, id: CartId| async move {
        shared.snapshot(&key, &id, None).await.expect("snapshot")
    };
    assert_eq!(snapshot(trans_key("T1"), cart.id.clone()).await, empty);

    insert(&store, &cart).await;
    assert_eq!(
        snapshot(trans_key("T1"), cart.id.clone()).await,
        Snapshot {
            saved: None,
            cart: Some(CartState::from(&cart)),
            agreement: None,
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
        future_pay: None,
    };
    // Compared as strings, i.e. byte for byte: a repeat must get the very same page.
    let saved = writes.saved_outcome.expect("happy path saves an outcome");
    assert_eq!(
        snapshot(trans_key("T1"), cart.id.clone()).await,
        Snapshot {
            saved: Some(saved.clone()),
            cart: Some(paid),
            agreement: None,
        }
    );
    assert_eq!(
        snapshot(trans_key("T1"), cart_id("cart-2")).await,
        Snapshot {
            saved: Some(saved),
            cart: None,
            agreement: None,
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

// FuturePay agreements.

/// A new agreement is written under `AgreementAbsent` and reads back field for field: one
/// with every field filled in, one with every optional field empty (and an id with the
/// separators a store might use in its keys).
pub async fn agreement_round_trips_every_field<S: Store>(store: S) {
    let cart = cart("cart-1");
    let full = agreement("193743", &cart.id);
    let bare = bare_agreement("fp/2 #Zoë", &cart.id);
    for agreement in [&full, &bare] {
        create_agreement(&store, agreement).await;
    }
    assert_eq!(stored_agreement(&store, &full.id).await, Some(full));
    assert_eq!(stored_agreement(&store, &bare.id).await, Some(bare));
    assert_eq!(
        stored_agreement(&store, &future_pay_id("193744")).await,
        None
    );
}

/// Once an agreement exists, `AgreementAbsent` fails, whatever else the commit holds.
pub async fn agreement_absent_fails_when_the_agreement_exists<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let existing = agreement("193743", &cart.id);
    create_agreement(&store, &existing).await;
    let again = Agreement {
        payments_made: 0,
        version: 1,
        ..existing.clone()
    };
    refused(&store, &cart.id, agreement_created(&cart, "T1", &again)).await;
    refused(&store, &cart.id, new_agreement(&again)).await;
    assert_eq!(stored_agreement(&store, &existing.id).await, Some(existing));
}

/// `AgreementAt` fails on any version but the stored one, older or newer; the new state's
/// own version does not matter (paying version 2 would make version 3, the stored one).
pub async fn agreement_at_fails_on_a_stale_version<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let current = agreement("193743", &cart.id);
    create_agreement(&store, &current).await;
    for version in [1, 2, current.version + 1] {
        let stale = Agreement {
            version,
            ..current.clone()
        };
        refused(&store, &cart.id, agreement_payment(&stale, "T1", at(600))).await;
        let ended = stale.ended(AgreementStatus::CancelledByMerchant);
        refused(&store, &cart.id, agreement_change(&stale, ended)).await;
    }
    assert_eq!(stored_agreement(&store, &current.id).await, Some(current));
}

/// `AgreementAt` on an agreement that does not exist fails and creates nothing.
pub async fn agreement_at_fails_when_the_agreement_is_missing<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let missing = agreement("193743", &cart.id);
    refused(&store, &cart.id, agreement_payment(&missing, "T1", at(600))).await;
    assert_eq!(stored_agreement(&store, &missing.id).await, None);
}

/// `AgreementAt` with the stored version writes the agreement's whole new state, cleared
/// fields included, with the rest of the writes; the version read before is then stale.
pub async fn agreement_at_applies_the_new_state<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let current = agreement("193743", &cart.id);
    create_agreement(&store, &current).await;

    let writes = agreement_payment(&current, "T1", at(600));
    let paid = writes
        .agreement
        .clone()
        .expect("a payment changes the agreement");
    let result = apply(
        &store,
        writes.clone(),
        delivery("d1", Some(&cart.id), at(600)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(
        stored_agreement(&store, &current.id).await,
        Some(paid.clone())
    );
    let record = record(&store, &cart.id).await;
    assert_eq!(record.agreements, vec![paid.clone()]);
    assert_eq!(record.payments, Vec::from_iter(writes.payment));
    assert_eq!(pending(&store).await, writes.mails);

    let ended = current.ended(AgreementStatus::CancelledByCustomer);
    refused(&store, &cart.id, agreement_change(&current, ended)).await;

    // Ending clears the claim and the due time: a store must clear them, not keep them.
    let ended = paid.ended(AgreementStatus::CancelledByCustomer);
    assert_eq!(ended.overdue_at, None);
    let result = store
        .commit(&sweep_commit(agreement_change(&paid, ended.clone())))
        .await
        .expect("commit");
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(stored_agreement(&store, &current.id).await, Some(ended));
}

/// The snapshot holds the agreement asked for, whichever cart it names (later callbacks of
/// an agreement may name any cart), and none if none was asked for or it is unknown.
pub async fn snapshot_reads_the_agreement<S: Store>(store: S) {
    let cart = future_pay_cart("cart-1", regular_plan());
    insert(&store, &cart).await;
    let agreement = agreement("193743", &cart.id);
    create_agreement(&store, &agreement).await;
    let key = trans_key("T1");
    let snapshot = |cart_id: CartId, id: Option<FuturePayId>| {
        let (store, key) = (&store, key.clone());
        async move {
            store
                .snapshot(&key, &cart_id, id.as_ref())
                .await
                .expect("snapshot")
        }
    };
    assert_eq!(
        snapshot(cart.id.clone(), Some(agreement.id.clone())).await,
        Snapshot {
            saved: None,
            cart: Some(CartState::from(&cart)),
            agreement: Some(agreement.clone()),
        }
    );
    assert_eq!(
        snapshot(cart_id("cart-2"), Some(agreement.id.clone())).await,
        Snapshot {
            saved: None,
            cart: None,
            agreement: Some(agreement.clone()),
        }
    );
    assert_eq!(snapshot(cart.id.clone(), None).await.agreement, None);
    let unknown = Some(future_pay_id("193744"));
    assert_eq!(snapshot(cart.id.clone(), unknown).await.agreement, None);
}

/// A cart's record lists its agreements (in any order) as they are now, and no others.
pub async fn cart_lists_its_agreements<S: Store>(store: S) {
    let one = cart("cart-1");
    let two = cart("cart-2");
    insert(&store, &one).await;
    insert(&store, &two).await;
    let first = agreement("193743", &one.id);
    let second = Agreement {
        created_at: at(120),
        ..bare_agreement("193744", &one.id)
    };
    let other = agreement("193745", &two.id);
    for agreement in [&first, &second, &other] {
        create_agreement(&store, agreement).await;
    }
    let listed = |cart: CartId| {
        let store = &store;
        async move {
            let mut agreements = record(store, &cart).await.agreements;
            agreements.sort_by(|a, b| a.id.cmp(&b.id));
            agreements
        }
    };
    assert_eq!(
        listed(one.id.clone()).await,
        vec![first.clone(), second.clone()]
    );
    assert_eq!(listed(two.id.clone()).await, vec![other]);

    let ended = first.ended(AgreementStatus::CancelledByMerchant);
    let result = store
        .commit(&sweep_commit(agreement_change(&first, ended.clone())))
        .await
        .expect("commit");
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(listed(one.id.clone()).await, vec![ended, second]);
}

/// Creates `agreements` due at the given whole days after `T0` (never if `None`), written
/// out of the order they are due in.
async fn create_due<S: Store>(store: &S, agreements: &[(&str, Option<i64>)]) -> Vec<Agreement> {
    let cart = cart_id("cart-1");
    let mut created = Vec::new();
    for (id, day) in agreements {
        let agreement = due_agreement(id, &cart, day.map(|d| at(d * 86_400)));
        create_agreement(store, &agreement).await;
        created.push(agreement);
    }
    created
}

fn assert_earliest_first(agreements: &[Agreement]) {
    let times: Vec<_> = agreements.iter().map(|a| a.overdue_at).collect();
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "due agreements out of order: {times:?}"
    );
}

/// Due are exactly the agreements whose `overdue_at` is at or before now, earliest first,
/// read back whole: not those due later, not those never due.
pub async fn due_agreements_are_those_overdue_by_now<S: Store>(store: S) {
    let created = create_due(
        &store,
        &[
            ("fp-3", Some(30)),
            ("fp-future", Some(400)),
            ("fp-1", Some(10)),
            ("fp-never", None),
            ("fp-2b", Some(20)),
            ("fp-2a", Some(20)),
        ],
    )
    .await;
    let late = due_agreement("fp-late", &cart_id("cart-1"), Some(at(30 * 86_400 + 1)));
    create_agreement(&store, &late).await;

    let now = at(30 * 86_400);
    let listed = due(&store, now).await;
    assert_eq!(
        sorted(agreement_ids(&listed)),
        ["fp-1", "fp-2a", "fp-2b", "fp-3"]
    );
    assert_earliest_first(&listed);
    assert_eq!(listed[0].id, future_pay_id("fp-1"));
    for agreement in &listed {
        assert!(created.contains(agreement), "{agreement:?} was not written");
    }

    assert!(due(&store, at(10 * 86_400 - 1)).await.is_empty());
    assert_eq!(agreement_ids(&due(&store, at(10 * 86_400)).await), ["fp-1"]);
    assert_eq!(due(&store, end_of_days()).await.len(), 6);
}

const SEVEN_DUE: &[(&str, Option<i64>)] = &[
    ("fp-e", Some(3)),
    ("fp-a", Some(2)),
    ("fp-x", Some(2000)),
    ("fp-g", Some(4)),
    ("fp-c", Some(2)),
    ("fp-b", Some(1)),
    ("fp-y", None),
    ("fp-f", Some(4)),
    ("fp-d", Some(2)),
];

const SEVEN_DUE_IDS: [&str; 7] = ["fp-a", "fp-b", "fp-c", "fp-d", "fp-e", "fp-f", "fp-g"];

/// Reads every page of agreements due at `now`, `limit` at a time, doing `between` with each
/// page before reading the next.
async fn page_through<S: Store>(
    store: &S,
    now: OffsetDateTime,
    limit: usize,
    between: impl AsyncFn(&[Agreement]),
) -> Vec<Vec<Agreement>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .due_agreements(now, after.as_deref(), limit)
            .await
            .expect("due agreements");
        assert!(page.agreements.len() <= limit, "a page exceeds its limit");
        between(&page.agreements).await;
        pages.push(page.agreements);
        assert!(pages.len() <= 20, "paging does not end");
        match page.next {
            Some(next) => after = Some(next),
            None => return pages,
        }
    }
}

fn assert_no_duplicates(ids: &[String]) {
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an agreement came twice: {ids:?}");
}

/// Seven due (with ties on `overdue_at`) read three at a time come as 3 + 3 + 1, each once,
/// earliest first across pages; the last page has no `next`.
pub async fn due_agreements_page_without_duplicates_or_gaps<S: Store>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    let now = at(1000 * 86_400);
    let pages = page_through(&store, now, 3, async |_: &[Agreement]| {}).await;
    let sizes: Vec<_> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let all: Vec<_> = pages.concat();
    assert_earliest_first(&all);
    let ids = agreement_ids(&all);
    assert_no_duplicates(&ids);
    assert_eq!(sorted(ids), SEVEN_DUE_IDS);

    let pages = page_through(&store, now, 7, async |_: &[Agreement]| {}).await;
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), 7);
}

/// The sweep ends the agreements of each page before it reads the next, which takes them
/// out of the due list: paging on still gives every due agreement, none twice.
pub async fn due_agreements_page_on_while_the_sweep_ends_them<S: Store>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    let now = at(1000 * 86_400);
    let end_all = async |page: &[Agreement]| {
        for agreement in page {
            let ended = agreement.ended(AgreementStatus::CancelledForNonPayment);
            let result = store
                .commit(&sweep_commit(agreement_change(agreement, ended)))
                .await
                .expect("commit");
            assert_eq!(result, CommitResult::Committed);
        }
    };
    let pages = page_through(&store, now, 3, end_all).await;
    let ids = agreement_ids(&pages.concat());
    assert_no_duplicates(&ids);
    assert_eq!(sorted(ids), SEVEN_DUE_IDS);
    assert!(due(&store, now).await.is_empty());
    assert_eq!(agreement_ids(&due(&store, end_of_days()).await), ["fp-x"]);
}

/// A cursor the store did not make is an error, not a silent restart or end.
pub async fn due_agreements_refuse_a_bad_cursor<S: Store>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    for bad in ["", "not a cursor", "\u{1}"] {
        let result = store.due_agreements(end_of_days(), Some(bad), 3).await;
        assert!(result.is_err(), "cursor {bad:?} gave {result:?}");
    }
}

/// An agreement leaves the due list when it ends (its `overdue_at` is cleared) and, until
/// the new time, when a payment moves its `overdue_at` later.
pub async fn an_ended_agreement_leaves_the_due_list<S: Store>(store: S) {
    let cart = cart_id("cart-1");
    let now = at(40 * 86_400);
    let ending = due_agreement("fp-1", &cart, Some(at(35 * 86_400)));
    let paying = due_agreement("fp-2", &cart, Some(at(36 * 86_400)));
    create_agreement(&store, &ending).await;
    create_agreement(&store, &paying).await;
    assert_eq!(agreement_ids(&due(&store, now).await), ["fp-1", "fp-2"]);

    let ended = ending.ended(AgreementStatus::CancelledForNonPayment);
    let paid = paying.paid(at(39 * 86_400));
    let later = paid
        .overdue_at
        .expect("an unfinished agreement stays scheduled");
    assert!(later > now);
    for (old, new) in [(&ending, ended.clone()), (&paying, paid.clone())] {
        let result = store
            .commit(&sweep_commit(agreement_change(old, new)))
            .await
            .expect("commit");
        assert_eq!(result, CommitResult::Committed);
    }
    assert!(due(&store, now).await.is_empty());
    assert_eq!(due(&store, later).await, vec![paid]);
    assert_eq!(agreement_ids(&due(&store, end_of_days()).await), ["fp-2"]);
    assert_eq!(stored_agreement(&store, &ending.id).await, Some(ended));
}

/// All agreements, scheduled or not, newest first and limited.
pub async fn agreements_are_newest_first_and_limited<S: Store>(store: S) {
    let cart = cart_id("cart-1");
    // Created out of order so that neither insertion order nor ids give the answer.
    let first = Agreement {
        created_at: at(1),
        ..agreement("fp-1", &cart)
    };
    let second = Agreement {
        created_at: at(3),
        ..agreement("fp-2", &cart)
    };
    let third = Agreement {
        created_at: at(2),
        ..bare_agreement("fp-3", &cart)
    };
    for agreement in [&first, &second, &third] {
        create_agreement(&store, agreement).await;
    }
    let newest = store.agreements(2).await.expect("agreements");
    assert_eq!(newest, vec![second, third]);
    let all = store.agreements(1000).await.expect("agreements");
    assert_eq!(agreement_ids(&all), ["fp-2", "fp-3", "fp-1"]);
}

/// The sweep commits with no delivery: the writes apply and no delivery is recorded.
pub async fn a_commit_without_a_delivery_records_none<S: Store>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let writes = happy_path(&cart, "T1");
    let result = store
        .commit(&sweep_commit(writes.clone()))
        .await
        .expect("commit");
    assert_eq!(result, CommitResult::Committed);
    let record = record(&store, &cart.id).await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    assert_eq!(record.payments, Vec::from_iter(writes.payment));

    let agreement = agreement("193743", &cart.id);
    create_agreement(&store, &agreement).await;
    let alert = mail("fp-cancelled#193743", Some(&cart.id), at(600));
    let ended = agreement.ended(AgreementStatus::CancelledForNonPayment);
    let writes = Writes {
        mails: vec![alert.clone()],
        ..agreement_change(&agreement, ended.clone())
    };
    let result = store.commit(&sweep_commit(writes)).await.expect("commit");
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(stored_agreement(&store, &agreement.id).await, Some(ended));
    assert!(pending(&store).await.contains(&alert));
    assert!(recent(&store).await.deliveries.is_empty());
}

/// A cart's FuturePay plan, of every kind, comes back with the cart and in its snapshot
/// state; `CartIs` does not name the plan, so it holds on such a cart.
pub async fn a_future_pay_plan_round_trips_with_its_cart<S: Store>(store: S) {
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

/// Twenty sweeps claim the same agreement at once from the same version: one wins, and the
/// agreement holds the winner's claim.
pub async fn concurrent_agreement_changes_apply_once<S: Store + 'static>(store: S) {
    let store = Arc::new(store);
    let agreement = due_agreement("193743", &cart_id("cart-1"), Some(at(60)));
    create_agreement(store.as_ref(), &agreement).await;
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let store = Arc::clone(&store);
            let claimed = agreement.claimed(&format!("sweep-{n}"), at(600), Duration::minutes(5));
            let commit = sweep_commit(agreement_change(&agreement, claimed.clone()));
            tokio::spawn(async move { (claimed, store.commit(&commit).await.expect("commit")) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (claimed, result) = task.await.expect("task");
        if result == CommitResult::Committed {
            winners.push(claimed);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one of 20 claims may apply");
    let stored = stored_agreement(store.as_ref(), &agreement.id).await;
    assert_eq!(stored, winners.pop());
}
