//! Listings for people (`Inspect`): recent records, agreements, a cart's deliveries and the
//! cart of a transaction.

use super::*;

pub(super) async fn recent_is_newest_first_and_limited<S: Subject>(store: S) {
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
            ..Writes::alert(mail(mail_id(&format!("m{n}")), Some(&cart.id), at(10 + seconds)))
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
    assert_eq!(ids(&activity.mails, |m| m.mail.id.to_string()), ["m2", "m3"]);

    let all = recent(&store).await;
    assert_eq!(
        ids(&all.carts, |c| c.id.to_string()),
        ["cart-2", "cart-3", "cart-1"]
    );
    assert_eq!(ids(&all.deliveries, |d| d.id.clone()), ["d2", "d3", "d1"]);
}

/// All agreements, scheduled or not, newest first and limited.
pub(super) async fn agreements_are_newest_first_and_limited<S: Subject>(store: S) {
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

pub(super) async fn cart_deliveries_are_the_carts_own_oldest_first<S: Subject>(store: S) {
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

pub(super) async fn the_cart_of_a_transaction_is_found_by_its_payment<S: Subject>(store: S) {
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

pub(super) async fn a_delivery_is_found_by_its_id<S: Subject>(store: S) {
    let paid = cart("cart-1");
    for (id, cart_id) in [("d1", Some(&paid.id)), ("d2", None)] {
        store
            .commit(&commit(Writes::default(), delivery(id, cart_id, at(5))))
            .await
            .expect("commit");
    }
    for (id, cart_id) in [("d1", Some(&paid.id)), ("d2", None)] {
        assert_eq!(
            store.delivery(id).await.expect("found"),
            Some(delivery(id, cart_id, at(5)))
        );
    }
    assert_eq!(store.delivery("d3").await.expect("none"), None);
}
