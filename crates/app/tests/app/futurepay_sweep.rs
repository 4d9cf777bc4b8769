//! The FuturePay sweep against a local fake of WorldPay's remote administration, on both
//! stores.

use crate::support;

use std::time::Duration;

use async_trait::async_trait;
use selectpay_app::sweep::{SweepAction, SweepOptions, SweepSummary};
use selectpay_domain::futurepay::{Agreement, AgreementStatus};
use selectpay_domain::ids::{FuturePayId, InstallationId};
use selectpay_domain::mail::MailKind;
use selectpay_domain::ports::{AdminError, AdminReply, Clock, RemoteAdmin};
use selectpay_domain::secret::Secret;
use selectpay_worldpay::WorldPayRemoteAdmin;
use selectpay_worldpay::fake::{ALREADY_CANCELLED, Answer, FakeRemoteAdmin, PROBLEM};
use selectpay_worldpay::gateway_simulator::encode_form;
use support::*;

use crate::futurepay_callbacks::{AGREEMENT, agreement_fields, creation};
use crate::purchase_api::shown_cart;

/// A monthly agreement from 1 December, set up through the callback handler; its first
/// payment is overdue from 5 December.
async fn with_agreement(h: &Harness) {
    h.subscription_cart("sub1", "14.99").await;
    let fields = creation("sub1", "14.99");
    let response = h
        .post_callback(encode_form(&fields, encoding_rs::WINDOWS_1252), LATIN1_FORM)
        .await;
    assert_eq!(response.status(), 200);
}

/// A scheduled payment callback for the agreement, made now.
fn scheduled_payment(h: &Harness, trans_id: &str) -> Vec<u8> {
    let at = h.trans_time();
    let fields = agreement_fields("sub1", "Y", Some(trans_id), &[("transTime", &at)]);
    encode_form(&fields, encoding_rs::WINDOWS_1252)
}

async fn agreement(h: &Harness) -> Agreement {
    h.store()
        .agreement(&FuturePayId::parse(AGREEMENT).unwrap())
        .await
        .unwrap()
        .unwrap()
}

fn client(fake: &FakeRemoteAdmin) -> WorldPayRemoteAdmin {
    WorldPayRemoteAdmin::new(
        fake.url().to_owned(),
        InstallationId::parse("99999").unwrap(),
        Secret::new("remote-admin-password").unwrap(),
    )
    .unwrap()
    .with_timeouts(Duration::from_millis(500), Duration::from_secs(2))
    .unwrap()
}

async fn sweep_with(h: &Harness, remote: Option<&dyn RemoteAdmin>) -> SweepSummary {
    h.app
        .sweep(SweepAction::Enforce(remote), &options(h))
        .await
        .unwrap()
}

async fn sweep(h: &Harness, remote: &dyn RemoteAdmin) -> SweepSummary {
    sweep_with(h, Some(remote)).await
}

fn options(h: &Harness) -> SweepOptions {
    SweepOptions {
        now: h.clock.now(),
        budget: Duration::from_secs(60),
        page_size: std::num::NonZeroUsize::new(10).unwrap(),
    }
}

/// 6 December: the first payment (due 1 December, overdue from the 5th) never came.
fn overdue(h: &Harness) {
    h.advance(time::Duration::days(14));
}

/// Suspension and WorldPay's confirmation in one run: one mail each, saying it is cancelled.
async fn cancels_a_due_agreement_once_and_mails_once(h: Harness) {
    with_agreement(&h).await;
    let fake = FakeRemoteAdmin::start().await;
    let remote = client(&fake);

    let early = sweep(&h, &remote).await;
    assert_eq!(early.due, 0, "not overdue yet");

    overdue(&h);
    let summary = sweep(&h, &remote).await;
    assert_eq!(
        (summary.due, summary.suspended, summary.cancelled),
        (1, 1, 1)
    );
    assert_eq!(fake.cancellations(AGREEMENT), 1);
    let request = &fake.requests()[0];
    assert_eq!(request.field("instId"), Some("99999"));
    assert_eq!(request.field("authPW"), Some("remote-admin-password"));
    let cancelled = agreement(&h).await;
    assert_eq!(cancelled.status, AgreementStatus::CancelledForNonPayment);
    assert_eq!(cancelled.overdue_at, None);
    let shopper = h.sent_of(MailKind::ShopperNotice);
    assert_eq!(shopper.len(), 1);
    assert!(shopper[0].subject.contains("has ended"));
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);
    let record = h.record("sub1").await;
    assert_eq!(
        record.agreements[0].status,
        AgreementStatus::CancelledForNonPayment
    );

    let again = sweep(&h, &remote).await;
    assert_eq!(again.due, 0);
    assert_eq!(fake.cancellations(AGREEMENT), 1);
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1);
}

/// Without remote administration the service is still suspended, and a payment brings it
/// back.
async fn without_remote_admin_the_agreement_is_suspended_here(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);

    let summary = sweep_with(&h, None).await;

    assert_eq!((summary.suspended, summary.cancelled), (1, 0));
    let suspended = agreement(&h).await;
    assert_eq!(suspended.status, AgreementStatus::SuspendedOverdue);
    assert_eq!(
        h.record("sub1").await.agreements[0].status,
        AgreementStatus::SuspendedOverdue,
        "GET /carts shows it"
    );
    let shopper = h.sent_of(MailKind::ShopperNotice);
    assert_eq!(shopper.len(), 1);
    assert!(shopper[0].subject.contains("suspended"));
    assert_eq!(h.sent_of(MailKind::MerchantAlert).len(), 1);

    let again = sweep_with(&h, None).await;
    assert_eq!((again.suspended, again.skipped), (0, 1));
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1, "mailed once");

    let response = h
        .post_callback(scheduled_payment(&h, "5002"), LATIN1_FORM)
        .await;
    assert_eq!(response.status(), 200);
    let back = agreement(&h).await;
    assert_eq!(back.status, AgreementStatus::Active);
    assert!(back.overdue_at.unwrap() > h.clock.now());
    let receipts = h.sent_of(MailKind::Receipt);
    assert!(receipts.last().unwrap().subject.contains("active again"));
}

/// Delivers a scheduled payment through the app just as the gateway is asked to cancel:
/// the payment lands between the sweep's claim and WorldPay's answer.
struct PaymentArrivesDuringCancel<'a> {
    harness: &'a Harness,
    gateway: WorldPayRemoteAdmin,
}

#[async_trait]
impl RemoteAdmin for PaymentArrivesDuringCancel<'_> {
    async fn cancel_agreement(&self, id: &FuturePayId) -> Result<AdminReply, AdminError> {
        let response = self
            .harness
            .post_callback(scheduled_payment(self.harness, "5002"), LATIN1_FORM)
            .await;
        assert_eq!(response.status(), 200);
        self.gateway.cancel_agreement(id).await
    }
}

/// WorldPay said `Y`: it has cancelled, so we never say `active`; the merchant refunds the
/// payment that raced in.
async fn worldpays_yes_wins_over_a_racing_payment(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    let remote = PaymentArrivesDuringCancel {
        harness: &h,
        gateway: client(&fake),
    };

    let summary = sweep(&h, &remote).await;

    assert_eq!((summary.cancelled, summary.refund_needed), (1, 1));
    let ended = agreement(&h).await;
    assert_eq!(ended.status, AgreementStatus::CancelledForNonPayment);
    assert_eq!(ended.payments_made, 1);
    assert_eq!(ended.overdue_at, None);
    let alerts = h.sent_of(MailKind::MerchantAlert);
    let refunds = alerts.iter().filter(|m| m.subject.contains("Refund"));
    assert_eq!(refunds.count(), 1);
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1);
    assert_eq!(
        shown_payment_statuses(&h).await,
        [
            ("5001".to_owned(), "accepted".to_owned()),
            ("5002".to_owned(), "review:cancelled_at_gateway".to_owned()),
        ]
    );
}

/// Each payment's `transId` and status as `GET /carts/sub1` shows them, in `transId` order.
async fn shown_payment_statuses(h: &Harness) -> Vec<(String, String)> {
    let cart = shown_cart(h, "sub1").await;
    let mut shown: Vec<(String, String)> = cart["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |field: &str| p[field].as_str().unwrap().to_owned();
            (text("transId"), text("status"))
        })
        .collect();
    shown.sort();
    shown
}

async fn overlapping_sweeps_cancel_at_the_gateway_once(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    fake.answer(Answer::stall(Duration::from_millis(300)));
    let (one, two) = (client(&fake), client(&fake));

    let (a, b) = tokio::join!(sweep(&h, &one), sweep(&h, &two));

    assert_eq!(fake.cancellations(AGREEMENT), 1);
    assert_eq!(a.cancelled + b.cancelled, 1);
    assert_eq!(a.skipped + b.skipped, 1);
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1);
}

/// Refused four times: suspended from the first, the operator alerted once (after the
/// third), and WorldPay's "already cancelled" ends it.
async fn a_refusal_is_retried_and_alerted_once(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    fake.answer(Answer::Text(PROBLEM.into()));
    let remote = client(&fake);

    for run in 1..=4 {
        let summary = sweep(&h, &remote).await;
        assert_eq!(summary.failed, 1, "run {run}");
        let still = agreement(&h).await;
        assert_eq!(still.status, AgreementStatus::SuspendedOverdue);
        assert_eq!(still.cancel_failures, run);
        assert_eq!(still.cancel_claim, None, "released for the next run");
    }
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);
    assert_eq!(
        h.sent_of(MailKind::ShopperNotice).len(),
        1,
        "told of the suspension"
    );

    fake.answer(Answer::Text(ALREADY_CANCELLED.into()));
    let summary = sweep(&h, &remote).await;
    assert_eq!(
        summary.cancelled, 1,
        "already cancelled at WorldPay counts as done"
    );
    assert_eq!(
        agreement(&h).await.status,
        AgreementStatus::CancelledForNonPayment
    );
}

/// An `E,` reply nobody listed is a failure to retry, never "already ended".
async fn an_unknown_refusal_is_retried(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    fake.answer(Answer::Text(
        "E,Installation not active for remote admin".into(),
    ));
    let remote = client(&fake);

    let summary = sweep(&h, &remote).await;

    assert_eq!((summary.failed, summary.cancelled), (1, 0));
    assert_eq!(
        agreement(&h).await.status,
        AgreementStatus::SuspendedOverdue
    );
}

async fn a_gateway_that_is_down_is_retried_next_run(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    let remote = client(&fake);
    fake.go_down().await;

    let summary = sweep(&h, &remote).await;

    assert_eq!(summary.failed, 1);
    assert_eq!(
        agreement(&h).await.status,
        AgreementStatus::SuspendedOverdue
    );
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1);
}

async fn a_dry_run_changes_nothing(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let before = agreement(&h).await;

    let summary = h
        .app
        .sweep(SweepAction::Report, &options(&h))
        .await
        .unwrap();

    assert_eq!((summary.due, summary.would_act), (1, 1));
    assert_eq!(agreement(&h).await, before);
}

on_both_stores!(
    cancels_a_due_agreement_once_and_mails_once,
    without_remote_admin_the_agreement_is_suspended_here,
    worldpays_yes_wins_over_a_racing_payment,
    overlapping_sweeps_cancel_at_the_gateway_once,
    a_refusal_is_retried_and_alerted_once,
    an_unknown_refusal_is_retried,
    a_gateway_that_is_down_is_retried_next_run,
    a_dry_run_changes_nothing,
);
