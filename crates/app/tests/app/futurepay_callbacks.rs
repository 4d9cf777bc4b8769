//! FuturePay agreements through the callback handler: creation, scheduled payments, a
//! declined payment and the end, each delivered twice to prove repeats change nothing.

use crate::support;

use std::sync::Arc;

use selectpay_domain::cart::{CartStatus, PaymentStatus};
use selectpay_domain::futurepay::AgreementStatus;
use selectpay_domain::ids::FuturePayId;
use selectpay_domain::mail::MailKind;
use selectpay_worldpay::gateway_simulator::encode_form;
use support::*;
use time::macros::datetime;

pub(crate) const AGREEMENT: &str = "193743";

/// The fields of a FuturePay callback: the shop's custom fields are not stored by WorldPay,
/// so later callbacks carry none.
pub(crate) fn agreement_fields(
    cart_id: &str,
    trans_status: &str,
    trans_id: Option<&str>,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut base = payment(cart_id, "9.99");
    base.trans_id = trans_id.unwrap_or("").into();
    let mut fields: Vec<(String, String)> = base
        .fields()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("MC_") && !name.starts_with("M_"))
        .filter(|(name, _)| !(trans_id.is_none() && name == "transId"))
        .map(|(name, value)| match name.as_str() {
            "transStatus" => (name, trans_status.to_owned()),
            "desc" => (
                name,
                format!("Payment of FuturePay agreement ID {AGREEMENT}"),
            ),
            _ => (name, value),
        })
        .collect();
    fields.push(("futurePayId".into(), AGREEMENT.into()));
    for (name, value) in extra {
        fields.retain(|(existing, _)| existing != name);
        fields.push((name.to_string(), value.to_string()));
    }
    fields
}

/// The purchase's own callback for `cart_id`: it pays `amount` and creates the agreement,
/// with the plan token's callback-only field.
pub(crate) fn creation(cart_id: &str, amount: &str) -> Vec<(String, String)> {
    let mut first = payment(cart_id, amount);
    first.trans_id = "5001".into();
    first.future_pay_id = Some(AGREEMENT.into());
    first.fields()
}

pub(crate) async fn deliver_twice(
    h: &Harness,
    fields: &[(String, String)],
) -> http::Response<bytes::Bytes> {
    let body = encode_form(fields, encoding_rs::WINDOWS_1252);
    let first = h.post_callback(body.clone(), LATIN1_FORM).await;
    let repeat = h.post_callback(body, LATIN1_FORM).await;
    assert_eq!(first.status(), 200);
    assert_eq!(repeat.body(), first.body(), "a repeat gets the first reply");
    first
}

/// The agreements the sweep would see on 1 January 2030 (at most ten).
pub(crate) async fn due_in_2030(h: &Harness) -> Vec<selectpay_domain::futurepay::Agreement> {
    h.due()
        .due_agreements(
            datetime!(2030-01-01 00:00 UTC),
            None,
            std::num::NonZeroUsize::new(10).unwrap(),
        )
        .await
        .unwrap()
        .agreements
}

/// WorldPay's callback when the shopper cancels agreement [`AGREEMENT`] of cart `sub1`,
/// delivered twice.
pub(crate) async fn cancelled_by_shopper(h: &Harness) {
    deliver_twice(
        h,
        &agreement_fields(
            "sub1",
            "",
            None,
            &[("futurePayStatusChange", "Customer Cancelled")],
        ),
    )
    .await;
}

pub(crate) async fn agreement(h: &Harness) -> selectpay_domain::futurepay::Agreement {
    h.store()
        .agreement(&FuturePayId::parse(AGREEMENT).unwrap())
        .await
        .unwrap()
        .expect("agreement recorded")
}

pub async fn lifecycle(h: Harness) {
    h.subscription_cart("sub1", "14.99").await;

    // The first callback pays the cart's immediate amount and creates the agreement.
    deliver_twice(&h, &creation("sub1", "14.99")).await;
    let record = h.record("sub1").await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    assert_eq!(record.agreements.len(), 1);
    let created = agreement(&h).await;
    assert_eq!(created.status, AgreementStatus::Active);
    assert_eq!(created.overdue_at, Some(datetime!(2026-12-05 00:00 UTC)));
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1);

    // A scheduled payment moves the due time a month on and mails a receipt, once.
    h.advance(time::Duration::days(9)); // 1 December, 10:00
    let paid_at = h.trans_time();
    let fields = agreement_fields("sub1", "Y", Some("5002"), &[("transTime", &paid_at)]);
    deliver_twice(&h, &fields).await;
    let paid = agreement(&h).await;
    assert_eq!(paid.payments_made, 1);
    assert_eq!(paid.overdue_at, Some(datetime!(2027-01-05 00:00 UTC)));
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 2);
    let record = h.record("sub1").await;
    assert!(
        record
            .payments
            .iter()
            .any(|p| p.trans_id.as_str() == "5002")
    );

    // A declined payment is recorded and the merchant told, once.
    h.advance(time::Duration::days(31));
    let page = deliver_twice(
        &h,
        &agreement_fields("sub1", "N", Some("5003"), &[("rawAuthCode", "D")]),
    )
    .await;
    assert!(
        body_text(&page).contains("was declined"),
        "the page says so"
    );
    let declined = agreement(&h).await;
    assert_eq!(declined.payments_declined, 1);
    assert_eq!(declined.status, AgreementStatus::Active);
    let record = h.record("sub1").await;
    let refused = record
        .payments
        .iter()
        .find(|p| p.trans_id.as_str() == "5003")
        .unwrap();
    assert_eq!(refused.status, PaymentStatus::Declined);
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);

    // The shopper cancels at WorldPay: the agreement ends and leaves the sweep's index.
    cancelled_by_shopper(&h).await;
    let ended = agreement(&h).await;
    assert_eq!(ended.status, AgreementStatus::CancelledByCustomer);
    assert_eq!(ended.overdue_at, None);
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 2);
    assert!(due_in_2030(&h).await.is_empty());
}

pub async fn created_without_payment(h: Harness) {
    h.subscription_cart("sub2", "0.00").await;
    let fields = agreement_fields(
        "sub2",
        "Y",
        None,
        &[("rawAuthMessage", "trans.fpCreatedNoAuth"), ("AVS", "0000")],
    );
    deliver_twice(&h, &fields).await;
    assert_eq!(h.record("sub2").await.cart.status, CartStatus::Paid);
    assert!(h.record("sub2").await.payments.is_empty());
    assert_eq!(agreement(&h).await.status, AgreementStatus::Active);
}

pub async fn unknown_agreement_is_kept_and_reported(h: Harness) {
    h.cart("c9", "1.00", "GBP").await;
    deliver_twice(&h, &agreement_fields("c9", "N", Some("7001"), &[])).await;
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
    let deliveries = h.inspect().recent(10).await.unwrap().deliveries;
    let outcomes: Vec<&str> = deliveries.iter().map(|d| d.outcome.as_str()).collect();
    assert_eq!(outcomes, ["duplicate", "unknown_agreement"]);
}

#[tokio::test]
async fn agreement_lifecycle_on_sqlite() {
    lifecycle(Harness::test_mode()).await;
}

#[tokio::test]
async fn agreement_created_without_payment_on_sqlite() {
    created_without_payment(Harness::test_mode()).await;
}

#[tokio::test]
async fn unknown_agreement_on_sqlite() {
    unknown_agreement_is_kept_and_reported(Harness::test_mode()).await;
}

#[tokio::test]
async fn agreement_lifecycle_on_dynamodb() {
    lifecycle(Harness::with_backend(
        &[],
        Arc::new(selectpay_aws::testing::fresh_store().await),
    ))
    .await;
}

#[tokio::test]
async fn agreement_created_without_payment_on_dynamodb() {
    created_without_payment(Harness::with_backend(
        &[],
        Arc::new(selectpay_aws::testing::fresh_store().await),
    ))
    .await;
}
