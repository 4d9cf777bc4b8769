//! Commits: every write applied all or nothing, each condition refusing what it guards against, and the contract's invariants.

use super::*;

pub(super) async fn commit_applies_every_write<S: Subject>(store: S) {
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

pub(super) async fn commit_records_a_payment_for_an_unknown_cart<S: Subject>(store: S) {
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

/// Cart `cart-1`, inserted and then paid by T1 along the happy path.
async fn paid_by_t1<S: Subject>(store: &S) -> Cart {
    let cart = cart("cart-1");
    insert(store, &cart).await;
    let first = apply(
        store,
        happy_path(&cart, "T1"),
        delivery("d1", Some(&cart.id), at(60)),
    );
    assert_eq!(first.await, CommitResult::Committed);
    cart
}

pub(super) async fn outcome_absent_fails_when_the_outcome_is_saved<S: Subject>(store: S) {
    let cart = paid_by_t1(&store).await;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T2")),
        Condition::OutcomeAbsent(trans_key("T1")),
    ];
    refused(&store, &cart.id, guarded(&cart, "T2", conditions)).await;
}

pub(super) async fn cart_absent_fails_when_the_cart_exists<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        Condition::CartAbsent(cart.id.clone()),
    ];
    refused(&store, &cart.id, guarded(&cart, "T1", conditions)).await;
}

/// On a pending cart, `CartIs` with the cart's state changed by `alter` must fail.
async fn cart_is_fails_when<S: Subject>(store: S, alter: impl FnOnce(&mut CartState)) {
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

pub(super) async fn cart_is_fails_on_another_status<S: Subject>(store: S) {
    cart_is_fails_when(store, |state| state.status = CartStatus::Cancelled).await;
}

pub(super) async fn cart_is_fails_on_another_amount<S: Subject>(store: S) {
    cart_is_fails_when(store, |state| state.amount = money("15.00", "GBP")).await;
}

/// Same minor units, other currency: a store must compare the currency too.
pub(super) async fn cart_is_fails_on_another_currency<S: Subject>(store: S) {
    cart_is_fails_when(store, |state| state.amount = money("14.99", "EUR")).await;
}

/// A decision assumed from the callback's `desc` shows it: the shopper may have edited it.
pub(super) async fn cart_is_fails_on_another_description<S: Subject>(store: S) {
    cart_is_fails_when(store, |state| state.description.push_str(" and a pony")).await;
}

/// A decision assumed without reading assumes the cart sells no plan: a plan cart must
/// refuse it, and a cart without one must refuse a condition that says it has one.
pub(super) async fn cart_is_fails_on_whether_it_sells_a_plan<S: Subject>(store: S) {
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
pub(super) async fn cart_is_fails_on_another_payer<S: Subject>(store: S) {
    let cart = paid_by_t1(&store).await;
    let paid_by = |trans: &str| {
        cart_is(
            &cart.id,
            CartState {
                status: CartStatus::Paid,
                amount: cart.order.amount,
                paid_by: Some(trans_id(trans)),
                future_pay: None,
                description: cart.order.description.clone(),
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

pub(super) async fn cart_is_fails_when_the_cart_is_missing<S: Subject>(store: S) {
    let cart = cart("cart-1");
    refused(&store, &cart.id, happy_path(&cart, "T1")).await;
}

/// An alert is guarded by its own id: written once, refused after, with all else intact.
pub(super) async fn mail_absent_fails_when_the_mail_exists<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let alert = mail(mail_id("alert#1"), Some(&cart.id), at(10));
    let result = apply(
        &store,
        Writes::alert(alert.clone()),
        delivery("d1", None, at(10)),
    )
    .await;
    assert_eq!(result, CommitResult::Committed);

    let mut again = mail(mail_id("alert#1"), Some(&cart.id), at(20));
    again.subject = "the same alert, reported again".to_owned();
    refused(&store, &cart.id, Writes::alert(again)).await;
    let conditions = vec![
        Condition::OutcomeAbsent(trans_key("T1")),
        cart_is(&cart.id, CartState::from(&cart)),
        Condition::MailAbsent(mail_id("alert#1")),
    ];
    refused(&store, &cart.id, guarded(&cart, "T1", conditions)).await;
    assert_eq!(pending(&store).await, vec![alert]);
}

/// Writes with mail but no guard (or one mail twice) could send a mail twice for one event:
/// `Writes::check` refuses them, and so every store, before writing anything.
pub(super) async fn an_unguarded_mail_breaks_the_contract<S: Subject>(store: S) {
    let id = cart_id("cart-1");
    let alert = mail(mail_id("alert#1"), Some(&id), at(10));
    let unguarded = Writes {
        mails: vec![alert.clone()],
        ..Writes::default()
    };
    let twice = Writes {
        conditions: vec![Condition::OutcomeAbsent(trans_key("T1"))],
        mails: vec![alert.clone(), alert],
        ..Writes::default()
    };
    for writes in [unguarded, twice] {
        let result = store.commit(&commit(writes, delivery("d1", None, at(10)))).await;
        assert!(
            matches!(result, Err(StoreError::Invariant(_))),
            "unguarded mail gave {result:?}"
        );
    }
    assert_eq!(recent(&store).await, Activity::default());
    assert!(pending(&store).await.is_empty());
}

/// A mail whose guard held must be new; one that exists anyway is a bug upstream (two
/// events spelling one mail id), refused whole rather than overwritten or skipped.
pub(super) async fn a_mail_that_exists_although_its_guard_held_breaks_the_contract<S: Subject>(
    store: S,
) {
    let id = cart_id("cart-1");
    let first = mail(mail_id("alert#1"), Some(&id), at(10));
    let result = apply(&store, Writes::alert(first.clone()), delivery("d1", None, at(10))).await;
    assert_eq!(result, CommitResult::Committed);

    let mut second = mail(mail_id("alert#1"), None, at(20));
    second.subject = "another event with the same mail id".to_owned();
    let writes = Writes {
        conditions: vec![Condition::OutcomeAbsent(trans_key("T2"))],
        mails: vec![second],
        ..Writes::default()
    };
    let result = store.commit(&commit(writes, delivery("d2", None, at(20)))).await;
    assert!(
        matches!(result, Err(StoreError::Invariant(_))),
        "an existing mail under a holding guard gave {result:?}"
    );
    assert_eq!(pending(&store).await, vec![first]);
    let activity = recent(&store).await;
    assert_eq!(ids(&activity.deliveries, |d| d.id.clone()), ["d1"]);
}

/// Without conditions and without mail, nothing can fail: the delivery is recorded.
pub(super) async fn commit_without_conditions_or_mail_always_commits<S: Subject>(store: S) {
    for (id, seconds) in [("d1", 10), ("d2", 20)] {
        let result = apply(&store, Writes::default(), delivery(id, None, at(seconds))).await;
        assert_eq!(result, CommitResult::Committed);
    }
    let activity = recent(&store).await;
    assert_eq!(ids(&activity.deliveries, |d| d.id.clone()), ["d2", "d1"]);
}

pub(super) async fn concurrent_commits_apply_once<S: Subject>(store: S) {
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

/// Writes the domain never makes unguarded must fail the commit, not half-apply: a cart
/// change for a missing cart (a store must not create the cart: a broken contract, so
/// `Invariant`, not worth a retry) and a payment recorded twice (`AlreadyExists`). Either
/// leaves no trace, not even the delivery.
pub(super) async fn a_write_that_cannot_be_made_leaves_no_trace<S: Subject>(store: S) {
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
        matches!(result, Err(StoreError::Invariant(_))),
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

/// The sweep commits with no delivery: the writes apply and no delivery is recorded.
pub(super) async fn a_commit_without_a_delivery_records_none<S: Subject>(store: S) {
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
    let alert = mail(mail_id("fp-cancelled#193743"), Some(&cart.id), at(600));
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
