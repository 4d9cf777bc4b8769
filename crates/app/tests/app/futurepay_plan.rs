//! The plan is the shop's, not the browser's: FuturePay payments through the callback
//! handler are checked against the plan the cart sold, on both stores.

use std::sync::Arc;

use selectpay_domain::cart::{CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::futurepay::AgreementStatus;
use selectpay_domain::ids::FuturePayId;
use selectpay_domain::mail::MailKind;
use time::macros::datetime;

use crate::futurepay_callbacks::{
    AGREEMENT, agreement, agreement_fields, cancelled_by_shopper, creation, deliver_twice,
    due_in_2030,
};
use crate::purchase_api::shown_cart;
use crate::support::*;

/// The status the payment `trans_id` of cart `cart_id` was recorded with.
async fn recorded(h: &Harness, cart_id: &str, trans_id: &str) -> PaymentStatus {
    h.record(cart_id)
        .await
        .payments
        .into_iter()
        .find(|p| p.trans_id.as_str() == trans_id)
        .expect("payment recorded")
        .status
}

fn held(reason: ReviewReason) -> PaymentStatus {
    PaymentStatus::Review(reason)
}

/// A subscription bought and its agreement created; the clock at 1 December, 10:00.
async fn subscribed(h: &Harness) {
    h.subscription_cart("sub1", "14.99").await;
    deliver_twice(h, &creation("sub1", "14.99")).await;
    h.advance(time::Duration::days(9));
}

async fn a_plan_removed_from_the_form_pays_nothing(h: Harness) {
    h.subscription_cart("sub1", "14.99").await;
    let mut plain = payment("sub1", "14.99");
    plain.trans_id = "5001".into();
    let page = deliver_twice(&h, &plain.fields()).await;

    assert!(body_text(&page).contains("being checked"));
    let record = h.record("sub1").await;
    assert_eq!(record.cart.status, CartStatus::Pending);
    assert!(record.agreements.is_empty());
    assert_eq!(
        recorded(&h, "sub1", "5001").await,
        held(ReviewReason::PlanMissing)
    );
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
    assert!(h.sent_of(MailKind::Receipt).is_empty());
}

async fn a_first_payment_of_the_wrong_amount_holds_the_agreement(h: Harness) {
    h.subscription_cart("sub1", "14.99").await;
    deliver_twice(&h, &creation("sub1", "1.00")).await;

    let held_agreement = agreement(&h).await;
    assert_eq!(held_agreement.status, AgreementStatus::InReview);
    assert_eq!(held_agreement.overdue_at, None, "never due");
    assert_eq!(
        recorded(&h, "sub1", "5001").await,
        held(ReviewReason::AmountMismatch)
    );
    let alerts = h.sent_of(MailKind::MerchantAlert);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].text.contains("held in review"));
    assert!(due_in_2030(&h).await.is_empty(), "the sweep never sees it");
}

async fn later_payments_of_the_wrong_amount_or_currency_are_held(h: Harness) {
    subscribed(&h).await;
    let before = agreement(&h).await;
    let at = h.trans_time();
    for (trans_id, amount, currency, reason) in [
        ("5002", "5.00", "GBP", ReviewReason::AmountMismatch),
        ("5003", "9.99", "USD", ReviewReason::CurrencyMismatch),
    ] {
        let fields = agreement_fields(
            "sub1",
            "Y",
            Some(trans_id),
            &[
                ("amount", amount),
                ("currency", currency),
                ("transTime", &at),
            ],
        );
        let page = deliver_twice(&h, &fields).await;
        assert!(
            !body_text(&page).contains("Thank you"),
            "{amount} {currency}"
        );
        assert_eq!(recorded(&h, "sub1", trans_id).await, held(reason));
    }
    let after = agreement(&h).await;
    assert_eq!(after.overdue_at, before.overdue_at, "due time unchanged");
    assert_eq!(after.payments_made, 0);
    assert_eq!(
        h.sent_of(MailKind::MerchantAlert).len(),
        2,
        "one per payment"
    );
    assert_eq!(
        h.sent_of(MailKind::Receipt).len(),
        1,
        "only the purchase's receipt"
    );
}

async fn a_replayed_old_payment_does_not_move_the_due_time(h: Harness) {
    subscribed(&h).await;
    let now = h.trans_time();
    deliver_twice(
        &h,
        &agreement_fields("sub1", "Y", Some("5002"), &[("transTime", &now)]),
    )
    .await;
    let paid = agreement(&h).await;
    assert_eq!(paid.overdue_at, Some(datetime!(2027-01-05 00:00 UTC)));

    // Weeks later, the first payment's callback arrives again under a new transaction,
    // replayed from WorldPay's failure-alert email: it was made on 1 December.
    h.advance(time::Duration::days(20));
    deliver_twice(
        &h,
        &agreement_fields("sub1", "Y", Some("5003"), &[("transTime", &now)]),
    )
    .await;
    let after = agreement(&h).await;
    assert_eq!(after.overdue_at, paid.overdue_at);
    assert_eq!(after.payments_made, 2);
}

async fn a_payment_for_an_unknown_agreement_schedules_nothing(h: Harness) {
    h.subscription_cart("sub1", "14.99").await;
    let page = deliver_twice(&h, &agreement_fields("sub1", "Y", Some("6001"), &[])).await;

    assert!(body_text(&page).contains("being checked"));
    let record = h.record("sub1").await;
    assert!(record.agreements.is_empty(), "no agreement invented");
    assert_eq!(record.cart.status, CartStatus::Pending);
    assert_eq!(
        recorded(&h, "sub1", "6001").await,
        held(ReviewReason::UnknownAgreement)
    );
    let alerts = h.sent_of(MailKind::OperatorAlert);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].text.contains("Callback Failure Alert"));
}

async fn a_payment_after_the_agreement_ended_is_to_refund(h: Harness) {
    subscribed(&h).await;
    cancelled_by_shopper(&h).await;
    let page = deliver_twice(&h, &agreement_fields("sub1", "Y", Some("5002"), &[])).await;

    assert!(!body_text(&page).contains("Thank you"));
    assert_eq!(
        recorded(&h, "sub1", "5002").await,
        held(ReviewReason::AgreementEnded)
    );
    assert_eq!(
        agreement(&h).await.status,
        AgreementStatus::CancelledByCustomer
    );
    let alerts = h.sent_of(MailKind::MerchantAlert);
    assert!(alerts.last().unwrap().text.contains("refund"));
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1, "no receipt for it");
}

/// `fields` without `cartId`, as WorldPay may send a FuturePay callback.
fn without_cart(mut fields: Vec<(String, String)>) -> Vec<(String, String)> {
    fields.retain(|(name, _)| name != "cartId");
    fields
}

async fn callbacks_without_a_cart_id_find_the_agreement(h: Harness) {
    subscribed(&h).await;
    let at = h.trans_time();
    let scheduled = agreement_fields("sub1", "Y", Some("5002"), &[("transTime", &at)]);
    deliver_twice(&h, &without_cart(scheduled)).await;
    assert_eq!(recorded(&h, "sub1", "5002").await, PaymentStatus::Accepted);
    let paid = agreement(&h).await;
    assert_eq!(paid.overdue_at, Some(datetime!(2027-01-05 00:00 UTC)));

    let status_change = agreement_fields(
        "sub1",
        "",
        None,
        &[("futurePayStatusChange", "Merchant Cancelled")],
    );
    deliver_twice(&h, &without_cart(status_change)).await;
    assert_eq!(
        agreement(&h).await.status,
        AgreementStatus::CancelledByMerchant
    );
}

async fn a_payment_naming_another_cart_is_held(h: Harness) {
    subscribed(&h).await;
    h.cart("other", "9.99", "GBP").await;
    deliver_twice(&h, &agreement_fields("other", "Y", Some("5002"), &[])).await;

    assert_eq!(
        recorded(&h, "sub1", "5002").await,
        held(ReviewReason::CartMismatch)
    );
    assert_eq!(h.record("other").await.cart.status, CartStatus::Pending);
    assert_eq!(agreement(&h).await.payments_made, 0);
}

async fn a_cartless_callback_for_an_unknown_agreement_is_kept(h: Harness) {
    let scheduled = agreement_fields("nobody", "Y", Some("7001"), &[]);
    deliver_twice(&h, &without_cart(scheduled)).await;

    let alerts = h.sent_of(MailKind::OperatorAlert);
    assert_eq!(alerts.len(), 1, "one per distinct delivery");
    assert!(alerts[0].text.contains("Callback Failure Alert"));
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    assert_eq!(deliveries.len(), 2, "both deliveries kept");
    assert!(deliveries.iter().all(|d| d.outcome == "unknown_agreement"));
    assert!(h.inspect().recent(10).await.unwrap().payments.is_empty());
}

/// The agreement keeps the plan its cart sold, so its payments are checked against that
/// record, and `GET /carts/{cartId}` shows it with the agreement.
async fn the_agreement_keeps_the_plan_its_cart_sold(h: Harness) {
    subscribed(&h).await;
    let sold = h.record("sub1").await.cart.order.future_pay;
    let kept = agreement(&h)
        .await
        .plan
        .expect("plan kept on the agreement");
    assert_eq!(Some(kept.plan), sold);
    assert_eq!(kept.currency.code(), "GBP");

    let cart = shown_cart(&h, "sub1").await;
    let shown = &cart["agreements"][0]["plan"];
    assert_eq!(shown["currency"], "GBP");
    assert_eq!(shown["plan"]["normal_amount"]["amount"], "9.99");
    assert_eq!(shown["plan"]["option"], "fixed");
}

on_both_stores!(
    a_plan_removed_from_the_form_pays_nothing,
    a_first_payment_of_the_wrong_amount_holds_the_agreement,
    later_payments_of_the_wrong_amount_or_currency_are_held,
    a_replayed_old_payment_does_not_move_the_due_time,
    a_payment_for_an_unknown_agreement_schedules_nothing,
    a_payment_after_the_agreement_ended_is_to_refund,
    callbacks_without_a_cart_id_find_the_agreement,
    a_payment_naming_another_cart_is_held,
    a_cartless_callback_for_an_unknown_agreement_is_kept,
    the_agreement_keeps_the_plan_its_cart_sold,
);

/// A live installation: a callback from WorldPay's test system changes nothing, however
/// many arrive, and the merchant hears once an hour.
async fn test_callbacks_on_a_live_installation_change_nothing(h: Harness) {
    h.subscription_cart("sub1", "14.99").await;
    let mut live_creation = creation("sub1", "14.99");
    for (name, value) in &mut live_creation {
        if name == "testMode" {
            *value = "0".into();
        }
    }
    deliver_twice(&h, &live_creation).await;
    assert_eq!(agreement(&h).await.status, AgreementStatus::Active);
    h.cart("c2", "5.00", "GBP").await;

    let test_cancel = cancel("c2").fields();
    let test_status_change = agreement_fields(
        "sub1",
        "",
        None,
        &[("futurePayStatusChange", "Merchant Cancelled")],
    );
    for fields in [&test_cancel, &test_status_change] {
        let response = h
            .post_callback(
                selectpay_worldpay::gateway_simulator::encode_form(
                    fields,
                    encoding_rs::WINDOWS_1252,
                ),
                LATIN1_FORM,
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    assert_eq!(h.record("c2").await.cart.status, CartStatus::Pending);
    assert_eq!(agreement(&h).await.status, AgreementStatus::Active);
    let other_mode: Vec<_> = h
        .sent_of(MailKind::MerchantAlert)
        .into_iter()
        .filter(|m| m.id.as_str().starts_with("test-mode#"))
        .collect();
    assert_eq!(other_mode.len(), 1, "once an hour");
    let outcomes: Vec<String> = h
        .inspect()
        .recent(10)
        .await
        .unwrap()
        .deliveries
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| *o == "review:test_mode_not_allowed")
            .count(),
        2,
        "each one recorded"
    );
    let id = FuturePayId::parse(AGREEMENT).unwrap();
    assert!(h.store().agreement(&id).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_callbacks_on_a_live_installation_on_sqlite() {
    test_callbacks_on_a_live_installation_change_nothing(Harness::live_mode()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_callbacks_on_a_live_installation_on_dynamodb() {
    let store = selectpay_aws::testing::fresh_store().await;
    test_callbacks_on_a_live_installation_change_nothing(Harness::with_backend(
        LIVE,
        Arc::new(store),
    ))
    .await;
}
