//! Carts awaiting their shopper (`AwaitingShoppers`): listed from their insertion until a
//! commit says the shopper came back.

use super::*;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::store::AwaitingCart;

/// A cart whose result only the shopper's browser brings, stored at `seconds`.
fn browser_cart(id: &str, seconds: i64) -> Cart {
    let mut cart = cart(id);
    cart.order.gateway = Gateway::Opayo;
    cart.created_at = at(seconds);
    cart
}

fn page(limit: usize) -> NonZeroUsize {
    NonZeroUsize::new(limit).expect("not zero")
}

async fn stale<S: Subject>(store: &S, seconds: i64) -> Vec<CartId> {
    store
        .stale_carts(at(seconds), page(50))
        .await
        .expect("stale carts")
        .into_iter()
        .map(|cart| cart.cart_id)
        .collect()
}

/// Only carts that await their shopper are listed, those stored by then, oldest first, at
/// most `limit`, each with its amount and time.
pub(super) async fn awaited_carts_stored_by_then_are_listed_oldest_first<S: Subject>(store: S) {
    let carts = [
        browser_cart("o-30", 30),
        browser_cart("o-later", 400),
        browser_cart("o-10", 10),
    ];
    for cart in &carts {
        insert(&store, cart).await;
    }
    let mut gateway_told = cart("w-5");
    gateway_told.created_at = at(5);
    insert(&store, &gateway_told).await;

    let listed = store.stale_carts(at(30), page(10)).await.expect("stale");
    assert_eq!(
        listed,
        vec![
            AwaitingCart::from(&carts[2]),
            AwaitingCart::from(&carts[0])
        ]
    );
    assert_eq!(listed[0].amount, money("14.99", "GBP"));
    let first = store.stale_carts(at(1000), page(1)).await.expect("stale");
    assert_eq!(first, vec![AwaitingCart::from(&carts[2])]);
    assert!(stale(&store, 9).await.is_empty());
}

/// Any result ends the wait in its own commit: one that changes the cart (paid) and one
/// that leaves it pending (declined: a delivery and nothing else).
pub(super) async fn the_shoppers_return_ends_the_wait_in_its_commit<S: Subject>(store: S) {
    let (paid, declined, waiting) = (
        browser_cart("o-paid", 1),
        browser_cart("o-declined", 2),
        browser_cart("o-waiting", 3),
    );
    for cart in [&paid, &declined, &waiting] {
        insert(&store, cart).await;
    }
    let mut payment = happy_path(&paid, "T-paid");
    payment.shopper_returned = Some(paid.id.clone());
    let result = apply(&store, payment, delivery("d-1", Some(&paid.id), at(60))).await;
    assert_eq!(result, CommitResult::Committed);
    let refused = Writes {
        shopper_returned: Some(declined.id.clone()),
        ..Writes::default()
    };
    let result = apply(&store, refused, delivery("d-2", Some(&declined.id), at(61))).await;
    assert_eq!(result, CommitResult::Committed);

    assert_eq!(stale(&store, 100).await, vec![waiting.id.clone()]);
    assert_eq!(record(&store, &declined.id).await.cart.status, CartStatus::Pending);
}

/// A commit refused on its conditions ends nothing; one for a cart that is not awaited
/// commits and lists nothing.
pub(super) async fn only_a_committed_return_ends_the_wait<S: Subject>(store: S) {
    let cart = browser_cart("o-1", 1);
    insert(&store, &cart).await;
    let mut writes = happy_path(&cart, "T-1");
    writes.shopper_returned = Some(cart.id.clone());
    writes.conditions.push(Condition::CartAbsent(cart.id.clone()));
    let result = apply(&store, writes, delivery("d-1", Some(&cart.id), at(60))).await;
    assert_eq!(result, CommitResult::ConditionFailed);
    assert_eq!(stale(&store, 100).await, vec![cart.id.clone()]);

    let gateway_told = self::cart("w-1");
    insert(&store, &gateway_told).await;
    let not_awaited = Writes {
        shopper_returned: Some(gateway_told.id.clone()),
        ..Writes::default()
    };
    let result = apply(&store, not_awaited, delivery("d-2", Some(&gateway_told.id), at(61))).await;
    assert_eq!(result, CommitResult::Committed);
    assert_eq!(stale(&store, 100).await, vec![cart.id.clone()]);
}

/// A second insert of the same cart id is refused and lists nothing twice.
pub(super) async fn a_refused_insert_lists_nothing_more<S: Subject>(store: S) {
    let cart = browser_cart("o-1", 1);
    insert(&store, &cart).await;
    let again = browser_cart("o-1", 50);
    let refused = store.insert_cart(&again).await;
    assert!(matches!(refused, Err(StoreError::AlreadyExists)), "{refused:?}");
    let listed = store.stale_carts(at(100), page(10)).await.expect("stale");
    assert_eq!(listed, vec![AwaitingCart::from(&cart)]);
}

/// The merchant gives up on a cart: it is no longer listed, once; an unknown or returned
/// cart is not listed, and giving up on it creates nothing.
pub(super) async fn a_cart_given_up_on_is_no_longer_listed<S: Subject>(store: S) {
    let (given_up, waiting) = (browser_cart("o-1", 1), browser_cart("o-2", 2));
    insert(&store, &given_up).await;
    insert(&store, &waiting).await;
    assert!(store.stop_awaiting(&given_up.id).await.expect("stop"));
    assert!(!store.stop_awaiting(&given_up.id).await.expect("stop again"));
    assert!(!store.stop_awaiting(&cart_id("o-unknown")).await.expect("stop unknown"));
    assert_eq!(stale(&store, 100).await, vec![waiting.id.clone()]);

    let returned = Writes {
        shopper_returned: Some(waiting.id.clone()),
        ..Writes::default()
    };
    let result = apply(&store, returned, delivery("d-1", Some(&waiting.id), at(60))).await;
    assert_eq!(result, CommitResult::Committed);
    assert!(!store.stop_awaiting(&waiting.id).await.expect("stop returned"));
    assert!(stale(&store, 100).await.is_empty());
}
