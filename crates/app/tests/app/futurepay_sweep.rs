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

const AGREEMENT: &str = "193743";

/// A monthly agreement from 1 December, set up through the callback handler; its first
/// payment is overdue from 5 December.
async fn with_agreement(h: &Harness) {
    h.subscription_cart("sub1", "14.99").await;
    let mut first = payment("sub1", "14.99");
    first.trans_id = "5001".into();
    let mut fields = first.fields();
    fields.push(("futurePayId".into(), AGREEMENT.into()));
    let response = h
        .post_callback(encode_form(&fields, encoding_rs::WINDOWS_1252), LATIN1_FORM)
        .await;
    assert_eq!(response.status(), 200);
}

/// A scheduled payment callback for the agreement.
fn scheduled_payment(trans_id: &str) -> Vec<u8> {
    let mut base = payment("sub1", "9.99");
    base.trans_id = trans_id.into();
    let mut fields: Vec<(String, String)> = base
        .fields()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("MC_"))
        .collect();
    fields.push(("futurePayId".into(), AGREEMENT.into()));
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

async fn sweep(h: &Harness, remote: &dyn RemoteAdmin) -> SweepSummary {
    h.app
        .sweep(SweepAction::Cancel(remote), &options(h))
        .await
        .unwrap()
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

async fn cancels_a_due_agreement_once_and_mails_once(h: Harness) {
    with_agreement(&h).await;
    let fake = FakeRemoteAdmin::start().await;
    let remote = client(&fake);

    let early = sweep(&h, &remote).await;
    assert_eq!(early.due, 0, "not overdue yet");

    overdue(&h);
    let summary = sweep(&h, &remote).await;
    assert_eq!((summary.due, summary.cancelled), (1, 1));
    assert_eq!(fake.cancellations(AGREEMENT), 1);
    let request = &fake.requests()[0];
    assert_eq!(request.field("instId"), Some("99999"));
    assert_eq!(request.field("authPW"), Some("remote-admin-password"));
    let cancelled = agreement(&h).await;
    assert_eq!(cancelled.status, AgreementStatus::CancelledForNonPayment);
    assert_eq!(cancelled.overdue_at, None);
    assert_eq!(h.sent_of(MailKind::ShopperNotice).len(), 1);
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

/// Delivers a scheduled payment through the app just as the gateway is asked to cancel:
/// the payment lands between the sweep's query and its cancellation.
struct PaymentArrivesDuringCancel<'a> {
    harness: &'a Harness,
    gateway: WorldPayRemoteAdmin,
}

#[async_trait]
impl RemoteAdmin for PaymentArrivesDuringCancel<'_> {
    async fn cancel_agreement(&self, id: &FuturePayId) -> Result<AdminReply, AdminError> {
        let response = self
            .harness
            .post_callback(scheduled_payment("5002"), LATIN1_FORM)
            .await;
        assert_eq!(response.status(), 200);
        self.gateway.cancel_agreement(id).await
    }
}

async fn a_late_payment_keeps_the_agreement_active(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    let remote = PaymentArrivesDuringCancel {
        harness: &h,
        gateway: client(&fake),
    };

    let summary = sweep(&h, &remote).await;

    assert_eq!((summary.cancelled, summary.kept_active), (0, 1));
    let kept = agreement(&h).await;
    assert_eq!(kept.status, AgreementStatus::Active);
    assert_eq!(kept.payments_made, 1);
    assert_eq!(kept.cancel_claim, None);
    assert!(kept.overdue_at.unwrap() > h.clock.now());
    assert!(h.sent_of(MailKind::ShopperNotice).is_empty());
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

async fn a_refusal_is_retried_and_alerted_after_three(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    fake.answer(Answer::Text(PROBLEM.into()));
    let remote = client(&fake);

    for run in 1..=3 {
        let summary = sweep(&h, &remote).await;
        assert_eq!(summary.failed, 1, "run {run}");
        let still = agreement(&h).await;
        assert_eq!(still.status, AgreementStatus::Active);
        assert_eq!(still.cancel_failures, run);
        assert_eq!(still.cancel_claim, None, "released for the next run");
    }
    assert_eq!(h.sent_of(MailKind::OperatorAlert).len(), 1);

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

async fn a_gateway_that_is_down_is_retried_next_run(h: Harness) {
    with_agreement(&h).await;
    overdue(&h);
    let fake = FakeRemoteAdmin::start().await;
    let remote = client(&fake);
    fake.go_down().await;

    let summary = sweep(&h, &remote).await;

    assert_eq!(summary.failed, 1);
    assert_eq!(agreement(&h).await.status, AgreementStatus::Active);
    assert!(h.sent_of(MailKind::ShopperNotice).is_empty());
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

    assert_eq!((summary.due, summary.would_cancel), (1, 1));
    assert_eq!(agreement(&h).await, before);
}

on_both_stores!(
    cancels_a_due_agreement_once_and_mails_once,
    a_late_payment_keeps_the_agreement_active,
    overlapping_sweeps_cancel_at_the_gateway_once,
    a_refusal_is_retried_and_alerted_after_three,
    a_gateway_that_is_down_is_retried_next_run,
    a_dry_run_changes_nothing,
);
