//! A browser claim that a cart was paid, with no authenticated callback behind it, is
//! followed up by the sweep: after the grace period the merchant is alerted, once.

use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::ports::Clock;
use selectpay_worldpay::gateway_simulator::SimulatedPayment;

use crate::support::*;

/// The FAQ's resultY.html backup form: the callback's fields, without the password.
fn claim(mut delivery: SimulatedPayment) -> SimulatedPayment {
    delivery.callback_password = None;
    delivery
}

fn unconfirmed_alerts(h: &Harness) -> Vec<Mail> {
    h.sent_of(MailKind::MerchantAlert)
        .into_iter()
        .filter(|m| m.subject.contains("not confirmed by WorldPay"))
        .collect()
}

async fn a_claim_with_no_callback_is_alerted_once_after_the_grace(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    assert_eq!(h.send(&claim(payment("c1", "14.99"))).await.status(), 200);

    h.advance(time::Duration::minutes(31));
    let options = selectpay_app::sweep::SweepOptions {
        now: h.clock.now(),
        ..Default::default()
    };
    let report = selectpay_app::sweep::SweepAction::Report;
    let dry = h.app.sweep(report, &options).await.unwrap();
    assert_eq!(dry.unconfirmed_claims, 1, "a dry run counts it");
    assert!(unconfirmed_alerts(&h).is_empty(), "and mails nothing");
    let summary = h.sweep().await;

    assert_eq!(summary.unconfirmed_claims, 1);
    let alerts = unconfirmed_alerts(&h);
    assert_eq!(alerts.len(), 1, "{:?}", h.sent());
    let alert = &alerts[0];
    assert_eq!(alert.to.to_string(), "merchant@shop.example");
    assert!(alert.subject.contains("c1"), "{}", alert.subject);
    assert!(alert.text.contains("14.99 GBP"), "{}", alert.text);
    assert!(
        alert.text.contains("selectpay replay --eml"),
        "{}",
        alert.text
    );
    let record = h.record("c1").await;
    assert_eq!(
        record.cart.status,
        selectpay_domain::cart::CartStatus::Pending
    );
    assert!(record.payments.is_empty(), "a claim never pays");

    h.advance(time::Duration::minutes(31));
    let again = h.sweep().await;
    assert_eq!(again.unconfirmed_claims, 0);
    assert_eq!(unconfirmed_alerts(&h).len(), 1, "alerted once per cart");
}

async fn a_claim_then_the_authenticated_callback_is_not_alerted(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&claim(payment("c1", "14.99"))).await;
    h.advance(time::Duration::minutes(2));
    assert_eq!(h.send(&payment("c1", "14.99")).await.status(), 200);

    h.advance(time::Duration::minutes(40));
    let summary = h.sweep().await;

    assert_eq!(
        (summary.unconfirmed_claims, summary.confirmed_claims),
        (0, 1)
    );
    assert!(unconfirmed_alerts(&h).is_empty());
}

async fn a_claim_for_a_settled_cart_is_not_alerted(h: Harness) {
    h.cart("paid", "14.99", "GBP").await;
    h.send(&payment("paid", "14.99")).await;
    h.cart("gone", "5.00", "GBP").await;
    h.send(&cancel("gone")).await;
    h.advance(time::Duration::seconds(1));
    h.send(&claim(payment("paid", "14.99"))).await;
    h.send(&claim(payment("gone", "5.00"))).await;

    h.advance(time::Duration::minutes(40));
    let summary = h.sweep().await;

    assert_eq!(summary.unconfirmed_claims, 0);
    assert!(unconfirmed_alerts(&h).is_empty());
}

async fn a_claim_within_the_grace_is_not_alerted_yet(h: Harness) {
    h.cart("c1", "14.99", "GBP").await;
    h.send(&claim(payment("c1", "14.99"))).await;

    h.advance(time::Duration::minutes(29));
    assert_eq!(h.sweep().await.unconfirmed_claims, 0);
    assert!(unconfirmed_alerts(&h).is_empty());

    h.advance(time::Duration::minutes(2));
    assert_eq!(h.sweep().await.unconfirmed_claims, 1);
}

on_both_stores!(
    a_claim_with_no_callback_is_alerted_once_after_the_grace,
    a_claim_then_the_authenticated_callback_is_not_alerted,
    a_claim_for_a_settled_cart_is_not_alerted,
    a_claim_within_the_grace_is_not_alerted_yet,
);

#[tokio::test]
async fn the_grace_period_is_configurable() {
    let h = Harness::with_env(&[("SELECTPAY_CLAIM_GRACE_MINUTES", "5")]);
    h.cart("c1", "14.99", "GBP").await;
    h.send(&claim(payment("c1", "14.99"))).await;

    h.advance(time::Duration::minutes(6));
    assert_eq!(h.sweep().await.unconfirmed_claims, 1);
}
