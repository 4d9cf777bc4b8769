//! Browser claims kept for the sweep's follow-up (`ClaimFollowUps`).

use super::*;
use selectpay_domain::store::ClaimedPayment;

fn claimed(cart: &str, seconds: i64) -> ClaimedPayment {
    ClaimedPayment {
        cart_id: cart_id(cart),
        trans_id: Some(trans_id(&format!("t-{cart}"))),
        amount: Some(money("14.99", "GBP")),
        claimed_at: at(seconds),
    }
}

fn page(limit: usize) -> NonZeroUsize {
    NonZeroUsize::new(limit).expect("not zero")
}

/// Open claims are those made at or before the time asked, oldest first, read back whole
/// (with or without a transId and amount), at most `limit`.
pub(super) async fn open_claims_are_those_made_by_then_oldest_first<S: Subject>(store: S) {
    let bare = ClaimedPayment {
        trans_id: None,
        amount: None,
        ..claimed("c-bare", 20)
    };
    for claim in [claimed("c-30", 30), claimed("c-later", 400), claimed("c-10", 10), bare.clone()] {
        store.note_claim(&claim).await.expect("note claim");
    }
    let open = store.open_claims(at(30), page(10)).await.expect("open claims");
    assert_eq!(open, vec![claimed("c-10", 10), bare, claimed("c-30", 30)]);
    let first = store.open_claims(at(30), page(2)).await.expect("open claims");
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].cart_id, cart_id("c-10"));
}

/// The first claim for a cart is kept: a later one neither replaces nor reopens it.
pub(super) async fn a_cart_keeps_its_first_claim_and_a_closed_one_stays_closed<S: Subject>(
    store: S,
) {
    store.note_claim(&claimed("c-1", 10)).await.expect("note claim");
    let later = ClaimedPayment {
        trans_id: Some(trans_id("t-other")),
        ..claimed("c-1", 20)
    };
    store.note_claim(&later).await.expect("note again");
    let open = store.open_claims(at(100), page(10)).await.expect("open claims");
    assert_eq!(open, vec![claimed("c-1", 10)]);

    store.close_claim(&cart_id("c-1")).await.expect("close claim");
    assert!(store.open_claims(at(100), page(10)).await.expect("open").is_empty());
    store.note_claim(&later).await.expect("note after close");
    assert!(
        store.open_claims(at(100), page(10)).await.expect("open").is_empty(),
        "a closed claim was reopened"
    );
}

/// Closing a cart that has no claim changes nothing and creates nothing.
pub(super) async fn closing_an_unknown_claim_changes_nothing<S: Subject>(store: S) {
    store.close_claim(&cart_id("c-none")).await.expect("close claim");
    assert!(store.open_claims(at(100), page(10)).await.expect("open").is_empty());
    store.note_claim(&claimed("c-none", 10)).await.expect("note claim");
    assert_eq!(
        store.open_claims(at(100), page(10)).await.expect("open"),
        vec![claimed("c-none", 10)],
        "closing before any claim must not block the first one"
    );
}
