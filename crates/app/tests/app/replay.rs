//! `selectpay replay` through the app: WorldPay's Callback Failure Alert (fixtures in the
//! format the FAQ describes, in the domain crate) decided like a callback, committed only
//! when applied, and idempotent with what was already processed.

use selectpay_app::ReplayError;
use selectpay_domain::callback::redact_password;
use selectpay_domain::cart::{CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::decision::Writes;
use selectpay_domain::ports::{Clock, Commit, CommitResult};
use selectpay_domain::replay::{CallbackData, parse_failure_alert};
use selectpay_domain::store::Delivery;
use selectpay_worldpay::gateway_simulator::{SimulatedPayment, encode_form};

use crate::support::*;

fn alert_data(fixture: &str) -> CallbackData {
    let path = format!(
        "{}/../domain/tests/fixtures/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let alert = parse_failure_alert(&std::fs::read(path).unwrap()).unwrap();
    alert.callback_data.expect("the fixture attaches its data")
}

async fn a_failure_alert_is_decided_then_applied_once(h: Harness) {
    // The FAQ's example callback: cart "Test Item", 14.99 GBP, pre-authorised (authMode=E).
    h.cart("Test Item", "14.99", "GBP").await;
    let data = alert_data("failure-alert-attached.eml");
    let replay = |apply| h.app.replay(&data.body, data.content_type, apply);

    let decided = replay(false).await.unwrap();
    assert_eq!(decided.outcome, "authorised");
    assert!(!decided.applied);
    assert!(
        decided
            .effects
            .contains(&"mark cart Test Item authorised".to_owned()),
        "{:?}",
        decided.effects
    );
    assert_eq!(h.record("Test Item").await.cart.status, CartStatus::Pending);
    assert!(h.sent().is_empty(), "only decided");

    let applied = replay(true).await.unwrap();
    assert_eq!(applied.outcome, "authorised");
    let record = h.record("Test Item").await;
    assert_eq!(record.cart.status, CartStatus::Authorised);
    assert_eq!(record.payments[0].trans_id.as_str(), "12227758");
    assert_eq!(h.sent().len(), 2, "receipt and order notice");

    let again = replay(true).await.unwrap();
    assert_eq!(again.outcome, "duplicate");
    assert!(again.effects.is_empty());
    assert_eq!(h.sent().len(), 2);
    assert_eq!(h.record("Test Item").await.payments.len(), 1);
}

async fn replaying_what_the_gateway_already_delivered_changes_nothing(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&payment("c1", "14.99")).await;
    let mails = h.sent().len();
    // The delivery as selectpay stored it: the raw body without its password.
    let stored = h.inspect().recent(1).await.unwrap().deliveries[0].clone();

    let replayed = h
        .app
        .replay(&stored.raw, stored.content_type.as_deref(), true)
        .await
        .unwrap();

    assert_eq!(replayed.outcome, "duplicate");
    assert!(replayed.effects.is_empty());
    assert_eq!(h.record("c1").await.payments.len(), 1);
    assert_eq!(h.sent().len(), mails);
}

/// A delivery stored without being decided, as when its answer was 503.
async fn store_undecided(h: &Harness, id: &str, payment: &SimulatedPayment, outcome: &str) {
    let delivery = Delivery {
        id: id.to_owned(),
        received_at: h.clock.now(),
        cart_id: Some(payment.cart_id.clone()),
        trans_id: Some(payment.trans_id.clone()),
        outcome: outcome.to_owned(),
        content_type: Some(LATIN1_FORM.to_owned()),
        raw: redact_password(&encode_form(&payment.fields(), encoding_rs::WINDOWS_1252)),
        query: None,
    };
    let commit = Commit {
        writes: Writes::default(),
        delivery: Some(delivery),
    };
    assert_eq!(
        h.store().commit(&commit).await.unwrap(),
        CommitResult::Committed
    );
}

async fn a_stored_delivery_is_replayed_by_its_id_once(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    store_undecided(&h, "d-503", &payment("c1", "14.99"), "store_unavailable").await;
    let stored = h
        .inspect()
        .delivery("d-503")
        .await
        .unwrap()
        .expect("stored");

    let decided = h.app.replay_stored(&stored, false).await.unwrap();
    assert_eq!(decided.outcome, "paid");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);

    let applied = h.app.replay_stored(&stored, true).await.unwrap();
    assert_eq!(applied.outcome, "paid");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
    assert_eq!(h.sent().len(), 2, "receipt and order notice");

    let again = h.app.replay_stored(&stored, true).await.unwrap();
    assert_eq!(again.outcome, "duplicate");
    assert_eq!(h.record("c1").await.payments.len(), 1);
    assert_eq!(h.sent().len(), 2);
}

async fn a_stored_claim_or_forgery_is_not_replayed(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    for (id, outcome) in [
        ("d-claim", "claim"),
        ("d-forged", "forbidden:wrong_password"),
    ] {
        store_undecided(&h, id, &payment("c1", "14.99"), outcome).await;
        let stored = h.inspect().delivery(id).await.unwrap().expect("stored");
        let refused = h.app.replay_stored(&stored, true).await;
        assert!(
            matches!(&refused, Err(ReplayError::NotFromTheGateway { .. })),
            "{refused:?}"
        );
    }
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
    assert!(h.sent().is_empty());
}

on_both_stores!(
    a_failure_alert_is_decided_then_applied_once,
    replaying_what_the_gateway_already_delivered_changes_nothing,
    a_stored_delivery_is_replayed_by_its_id_once,
    a_stored_claim_or_forgery_is_not_replayed,
);

#[tokio::test]
async fn a_callback_answered_503_is_replayed_from_the_data_worldpay_kept() {
    let body = selectpay_worldpay::gateway_simulator::encode_form(
        &payment("c1", "14.99").fields(),
        encoding_rs::WINDOWS_1252,
    );
    let down = Harness::with_store(&[], std::sync::Arc::new(BrokenStore::Unavailable));
    let refused = down.post_callback(body.clone(), LATIN1_FORM).await;
    assert_eq!(
        refused.status(),
        503,
        "so WorldPay keeps the data in its alert"
    );

    // The store is back; the operator replays the body from the alert.
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let replayed = h.app.replay(&body, Some(LATIN1_FORM), true).await.unwrap();

    assert_eq!(replayed.outcome, "paid");
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Paid);
}

#[tokio::test]
async fn replayed_data_meets_the_same_rules_as_a_callback() {
    // The inline fixture's payment carries wafMerchMessage=waf.caution: held by default.
    let h = Harness::test_mode();
    h.cart("Mug 2", "9.50", "GBP").await;
    let data = alert_data("failure-alert-inline.eml");

    let replayed = h
        .app
        .replay(&data.body, data.content_type, true)
        .await
        .unwrap();

    assert_eq!(replayed.outcome, "review:risk");
    let record = h.record("Mug 2").await;
    assert_eq!(
        record.payments[0].status,
        PaymentStatus::Review(ReviewReason::Risk)
    );
    assert_eq!(record.cart.status, CartStatus::Pending);
}

#[tokio::test]
async fn a_wrong_password_in_replayed_data_is_refused() {
    let h = Harness::test_mode();
    h.cart("c1", "14.99", "GBP").await;
    let mut forged = payment("c1", "14.99");
    forged.callback_password = Some("guess".into());
    let body = selectpay_worldpay::gateway_simulator::encode_form(
        &forged.fields(),
        encoding_rs::WINDOWS_1252,
    );
    let refused = h.app.replay(&body, Some(LATIN1_FORM), true).await;
    assert!(
        matches!(&refused, Err(selectpay_app::ReplayError::Refused(label)) if label == "forbidden:wrong_password"),
        "{refused:?}"
    );
    assert_eq!(h.record("c1").await.cart.status, CartStatus::Pending);
}

#[tokio::test]
async fn an_opayo_replay_where_opayo_is_not_offered_names_the_setting() {
    let h = Harness::test_mode();
    let refused = h.app.replay_opayo("@8F1C", false).await.err().unwrap();
    assert!(
        refused.to_string().contains("SELECTPAY_GATEWAYS"),
        "{refused}"
    );
}
