//! Snapshots: what a decision reads.

use super::*;

pub(super) async fn snapshot_reads_the_saved_outcome_and_the_cart<S: Subject>(store: S) {
    let cart = cart("cart-1");
    let empty = Snapshot {
        saved: None,
        cart: None,
        agreement: None,
    };
    let shared = &store;
    let snapshot = move |key: IdempotencyKey, id: CartId| async move {
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
        description: cart.order.description.clone(),
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

/// The snapshot holds the agreement asked for, whichever cart it names (later callbacks of
/// an agreement may name any cart), and none if none was asked for or it is unknown.
pub(super) async fn snapshot_reads_the_agreement<S: Subject>(store: S) {
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
