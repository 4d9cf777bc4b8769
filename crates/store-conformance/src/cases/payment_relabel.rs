//! Relabelling a recorded payment: the sweep holds a payment for refund in the commit that
//! marks its agreement cancelled, only if the payment is still as it read it.

use selectpay_domain::cart::Payment;
use selectpay_domain::ids::TransId;
use selectpay_domain::store::PaymentRelabel;

use super::*;

const HELD: PaymentStatus = PaymentStatus::Review(ReviewReason::CancelledAtGateway);

/// A cart with an agreement and a scheduled payment `T2` accepted on it; the agreement as
/// that payment left it.
async fn paid_agreement<S: Subject>(store: &S) -> (Cart, Agreement) {
    let cart = cart("cart-1");
    insert(store, &cart).await;
    let created = agreement("193743", &cart.id);
    create_agreement(store, &created).await;
    let paid = apply(
        store,
        agreement_payment(&created, "T2", at(600)),
        delivery("paid", Some(&cart.id), at(600)),
    )
    .await;
    assert_eq!(paid, CommitResult::Committed);
    let current = stored_agreement(store, &created.id).await.expect("agreement");
    (cart, current)
}

/// The agreement cancelled and these relabels, under the agreement's version.
fn cancelled_holding(current: &Agreement, relabels: Vec<PaymentRelabel>) -> Writes {
    Writes {
        relabels,
        ..agreement_change(
            current,
            current.ended(AgreementStatus::CancelledForNonPayment),
        )
    }
}

fn relabel(cart_id: &CartId, trans: &str, from: PaymentStatus) -> PaymentRelabel {
    PaymentRelabel {
        cart_id: cart_id.clone(),
        trans_id: trans_id(trans),
        from,
        to: HELD,
    }
}

fn payment_of(record: &CartRecord, trans: &TransId) -> Payment {
    record
        .payments
        .iter()
        .find(|p| p.trans_id == *trans)
        .cloned()
        .expect("payment recorded")
}

/// The relabel changes the payment's status and nothing else about it, in the same commit
/// as the agreement's change.
pub(super) async fn a_relabel_holds_the_payment_with_the_agreements_change<S: Subject>(
    store: S,
) {
    let (cart, current) = paid_agreement(&store).await;
    let before = payment_of(&record(&store, &cart.id).await, &trans_id("T2"));
    let writes = cancelled_holding(
        &current,
        vec![relabel(&cart.id, "T2", PaymentStatus::Accepted)],
    );

    let result = store.commit(&sweep_commit(writes)).await.expect("commit");

    assert_eq!(result, CommitResult::Committed);
    let after = record(&store, &cart.id).await;
    assert_eq!(after.payments.len(), 1);
    assert_eq!(
        payment_of(&after, &trans_id("T2")),
        Payment {
            status: HELD,
            ..before
        }
    );
    let ended = stored_agreement(&store, &current.id).await.expect("agreement");
    assert_eq!(ended.status, AgreementStatus::CancelledForNonPayment);
}

/// A relabel is a condition: a payment no longer in its `from` status, one the cart does
/// not have, or one named under another cart fails the whole commit, and no payment is
/// made out of nothing.
pub(super) async fn a_relabel_fails_unless_the_payment_is_as_read<S: Subject>(store: S) {
    let other = cart("cart-2");
    insert(&store, &other).await;
    let (cart, current) = paid_agreement(&store).await;
    for stale in [
        relabel(&cart.id, "T2", HELD),
        relabel(&cart.id, "T9", PaymentStatus::Accepted),
        relabel(&other.id, "T2", PaymentStatus::Accepted),
    ] {
        refused(&store, &cart.id, cancelled_holding(&current, vec![stale])).await;
    }
    assert!(record(&store, &other.id).await.payments.is_empty());
}
