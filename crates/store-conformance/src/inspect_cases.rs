//! Conformance of the reads for people inspecting one order: a cart's deliveries and the
//! cart of a transaction.

use selectpay_domain::cart::PaymentStatus;
use selectpay_domain::decision::Writes;
use selectpay_domain::ports::{CommitResult, Store};

use crate::fixtures::{at, cart, commit, delivery, payment};

pub async fn cart_deliveries_are_the_carts_own_oldest_first<S: Store>(store: S) {
    let (mine, other) = (cart("cart-1"), cart("cart-2"));
    for (id, cart_id, seconds) in [
        ("d2", &mine.id, 20),
        ("d1", &mine.id, 10),
        ("d3", &other.id, 15),
    ] {
        let result = store
            .commit(&commit(
                Writes::default(),
                delivery(id, Some(cart_id), at(seconds)),
            ))
            .await
            .expect("commit");
        assert_eq!(result, CommitResult::Committed);
    }
    let deliveries = store.cart_deliveries(&mine.id).await.expect("deliveries");
    let ids: Vec<&str> = deliveries.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2"]);
    assert_eq!(deliveries[0], delivery("d1", Some(&mine.id), at(10)));
    assert!(
        store
            .cart_deliveries(&cart("cart-3").id)
            .await
            .expect("none")
            .is_empty()
    );
}

pub async fn the_cart_of_a_transaction_is_found_by_its_payment<S: Store>(store: S) {
    let paid = cart("cart-1");
    store.insert_cart(&paid).await.expect("insert cart");
    let writes = Writes {
        payment: Some(payment(&paid.id, "T77", PaymentStatus::Accepted, at(5))),
        ..Writes::default()
    };
    store
        .commit(&commit(writes, delivery("d1", Some(&paid.id), at(5))))
        .await
        .expect("commit");
    assert_eq!(
        store.cart_of_transaction("T77").await.expect("found"),
        Some(paid.id)
    );
    // The fixture delivery names transaction T1, but no payment has it.
    assert_eq!(store.cart_of_transaction("T1").await.expect("none"), None);
}
