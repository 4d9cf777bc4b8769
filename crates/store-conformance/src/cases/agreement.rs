//! FuturePay agreements: written whole under their version, read back field for field.

use super::*;

/// A new agreement is written under `AgreementAbsent` and reads back field for field: one
/// with every field filled in, one with every optional field empty (and an id with the
/// separators a store might use in its keys).
pub(super) async fn agreement_round_trips_every_field<S: Subject>(store: S) {
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
pub(super) async fn agreement_absent_fails_when_the_agreement_exists<S: Subject>(store: S) {
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
pub(super) async fn agreement_at_fails_on_a_stale_version<S: Subject>(store: S) {
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
pub(super) async fn agreement_at_fails_when_the_agreement_is_missing<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let missing = agreement("193743", &cart.id);
    refused(&store, &cart.id, agreement_payment(&missing, "T1", at(600))).await;
    assert_eq!(stored_agreement(&store, &missing.id).await, None);
}

/// `AgreementAt` with the stored version writes the agreement's whole new state, cleared
/// fields included, with the rest of the writes; the version read before is then stale.
pub(super) async fn agreement_at_applies_the_new_state<S: Subject>(store: S) {
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

/// A cart's record lists its agreements (in any order) as they are now, and no others.
pub(super) async fn cart_lists_its_agreements<S: Subject>(store: S) {
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

/// Twenty sweeps claim the same agreement at once from the same version: one wins, and the
/// agreement holds the winner's claim.
pub(super) async fn concurrent_agreement_changes_apply_once<S: Subject>(store: S) {
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

/// A stored interval multiplier of 0 is refused by every read that returns the agreement,
/// as `Corrupt`, on every store alike.
pub(super) async fn a_stored_interval_multiplier_of_zero_is_corrupt<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let stored = agreement("193743", &cart.id);
    create_agreement(&store, &stored).await;
    store.overwrite_interval_mult(&stored.id, 0).await;

    assert_corrupt("agreement", store.agreement(&stored.id).await);
    let snapshot = store
        .snapshot(&trans_key("T1"), &cart.id, Some(&stored.id))
        .await;
    assert_corrupt("snapshot", snapshot);
    assert_corrupt("cart", store.cart(&cart.id).await);
    let due = store
        .due_agreements(end_of_days(), None, NonZeroUsize::MIN)
        .await;
    assert_corrupt("due", due);
    assert_corrupt("agreements", store.agreements(10).await);
}

fn assert_corrupt<T: std::fmt::Debug>(what: &str, read: Result<T, StoreError>) {
    assert!(
        matches!(read, Err(StoreError::Corrupt(_))),
        "{what} gave {read:?}"
    );
}
