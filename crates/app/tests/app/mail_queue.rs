//! Mail goes out exactly once whatever the mailer does, and the reply to the gateway never
//! waits on it: on the embedded store, with a mailer that stalls, refuses or forgets.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use selectpay_app::Stores;
use selectpay_domain::decision::{Condition, Writes};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MAX_ATTEMPTS, MailClaim, MailSetback, QueuedMail};
use selectpay_domain::ports::{Clock, Commit, CommitResult, Outbox, StoreError};
use selectpay_embedded::SqliteStore;

use crate::support::{Harness, payment};

/// A payment for `cart` with a transaction id of its own.
fn paid(cart: &str) -> selectpay_worldpay::gateway_simulator::SimulatedPayment {
    let mut payment = payment(cart, "14.99");
    payment.trans_id = format!("T-{cart}");
    payment
}

/// How often each mail was sent, by id.
fn sends(h: &Harness) -> std::collections::HashMap<String, usize> {
    let mut counts = std::collections::HashMap::new();
    for mail in h.sent() {
        *counts.entry(mail.id.to_string()).or_default() += 1;
    }
    counts
}

/// The log lines written while `work` runs on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn callback_lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .filter(|line| line.contains("selectpay::callback"))
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_stalled_mailer_holds_up_no_reply_and_each_mail_goes_once_after() {
    let h = Harness::test_mode();
    let logs = Captured::default();
    let _guard = logs.install();
    *h.mailer.stalled.lock().unwrap() = true;
    for n in 0..10 {
        let cart = format!("c{n}");
        h.cart(&cart, "14.99", "GBP").await;
        let started = Instant::now();
        let response = h.send(&paid(&cart)).await;
        assert_eq!(response.status(), 200, "the payment is committed");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    let lines = logs.callback_lines();
    assert_eq!(lines.len(), 10);
    assert!(
        lines
            .iter()
            .all(|l| l.contains("outcome=paid") && l.contains("mail=pending")),
        "{lines:?}"
    );

    *h.mailer.stalled.lock().unwrap() = false;
    // The budget ran out while each callback's receipt and order notice were being sent
    // side by side: both leases hold (the sends' outcome is unknown), so nothing goes yet.
    let early = h.app.redeliver_pending_mail(100).await.unwrap();
    assert_eq!(early.sent, 0);
    assert!(h.sent_of(MailKind::OrderNotice).is_empty());
    h.advance(Duration::minutes(3));
    let (a, b) = tokio::join!(
        h.app.redeliver_pending_mail(100),
        h.app.redeliver_pending_mail(100)
    );
    assert_eq!(
        a.unwrap().sent + b.unwrap().sent,
        20,
        "every mail, once the leases expired"
    );
    let counts = sends(&h);
    assert_eq!(counts.len(), 20);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert_eq!(h.app.redeliver_pending_mail(100).await.unwrap().sent, 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_send_that_outlasts_the_budget_still_goes_once() {
    let h = Harness::test_mode();
    *h.mailer.slow.lock().unwrap() = Some(std::time::Duration::from_millis(1500));
    h.cart("c1", "14.99", "GBP").await;
    let started = Instant::now();
    assert_eq!(h.send(&paid("c1")).await.status(), 200);
    assert!(started.elapsed() < std::time::Duration::from_millis(1400));
    assert!(h.sent().is_empty(), "the reply did not wait for the sends");

    // The sends were not cut short: they finish after the reply and mark their mail sent,
    // so redelivery has nothing left once their leases would have expired.
    h.app.finish_sends().await;
    assert_eq!(h.sent().len(), 2);
    h.advance(Duration::minutes(3));
    assert_eq!(h.app.redeliver_pending_mail(100).await.unwrap().sent, 0);
    assert_eq!(h.sent().len(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn the_log_line_says_the_mail_went() {
    let h = Harness::test_mode();
    let logs = Captured::default();
    let _guard = logs.install();
    h.cart("c1", "14.99", "GBP").await;
    assert_eq!(h.send(&payment("c1", "14.99")).await.status(), 200);
    let lines = logs.callback_lines();
    assert!(
        lines[0].contains("outcome=paid") && lines[0].contains("mail=sent"),
        "{lines:?}"
    );
    assert_eq!(h.sent().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_redelivery_runs_send_each_mail_once() {
    let h = Harness::test_mode();
    *h.mailer.failing.lock().unwrap() = true;
    for n in 0..10 {
        let cart = format!("c{n}");
        h.cart(&cart, "14.99", "GBP").await;
        assert_eq!(h.send(&paid(&cart)).await.status(), 200);
    }
    *h.mailer.failing.lock().unwrap() = false;
    h.advance(Duration::minutes(2));
    let (first, second) = (Arc::clone(&h.app), Arc::clone(&h.app));
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.redeliver_pending_mail(100).await.unwrap() }),
        tokio::spawn(async move { second.redeliver_pending_mail(100).await.unwrap() })
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 20);
    let counts = sends(&h);
    assert_eq!(counts.len(), 20);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[tokio::test]
async fn a_send_whose_mark_fails_is_not_repeated_within_the_lease() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let stores = Stores {
        store: store.clone(),
        due: store.clone(),
        claims: store.clone(),
        awaiting: store.clone(),
        outbox: Arc::new(MarkFailing(store.clone())),
    };
    let h = Harness::with_parts(&[], stores, store);
    h.cart("c1", "14.99", "GBP").await;
    assert_eq!(h.send(&payment("c1", "14.99")).await.status(), 200);
    assert_eq!(h.sent().len(), 2, "sent, though not marked sent");
    h.advance(Duration::minutes(1));
    let again = h.app.redeliver_pending_mail(100).await.unwrap();
    assert_eq!((again.sent, h.sent().len()), (0, 2), "the lease holds");
    // Only once the lease has expired with the outcome unrecorded is the mail sent again.
    h.advance(Duration::minutes(2));
    assert_eq!(h.app.redeliver_pending_mail(100).await.unwrap().sent, 2);
}

#[tokio::test]
async fn poisoned_mail_is_parked_and_never_holds_up_new_mail() {
    let h = Harness::test_mode();
    let poisoned = "refused@example.com";
    *h.mailer.refused_to.lock().unwrap() = Some(poisoned.to_owned());
    let start = h.clock.now();
    let mails: Vec<Mail> = (0..250)
        .map(|n| mail(&format!("poison-{n:03}"), poisoned, start))
        .collect();
    commit_mails(&h, mails).await;

    // The first runs take the 250 oldest first; each failure backs them off.
    assert_eq!(h.app.redeliver_pending_mail(200).await.unwrap().failed, 200);
    assert_eq!(h.app.redeliver_pending_mail(200).await.unwrap().failed, 50);
    commit_mails(
        &h,
        vec![mail("receipt-new", "zoe@example.com", h.clock.now())],
    )
    .await;
    let run = h.app.redeliver_pending_mail(200).await.unwrap();
    assert_eq!(
        run.sent, 1,
        "the new receipt goes out past 250 older failing mails"
    );
    assert_eq!(sends(&h).get("receipt-new"), Some(&1));

    for _ in 0..MAX_ATTEMPTS {
        h.advance(Duration::minutes(130));
        while h.app.redeliver_pending_mail(300).await.unwrap() != Default::default() {}
    }
    let attempts = h.mailer.attempts.lock().unwrap().clone();
    for n in [0, 123, 249] {
        let id = format!("poison-{n:03}");
        let tried = attempts.iter().filter(|a| **a == id).count();
        assert_eq!(tried, MAX_ATTEMPTS as usize, "{id}");
    }
    let unsent = h.outbox().unsent_mail(1000).await.unwrap();
    assert_eq!(unsent.iter().filter(|m| m.failed_at.is_some()).count(), 250);
    assert!(unsent.iter().all(|m| m.last_error.is_some()));
    let alerts = h.sent_of(MailKind::OperatorAlert);
    assert!(!alerts.is_empty(), "the operator is told");
    let ids: std::collections::HashSet<_> = alerts.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), alerts.len(), "at most one alert an hour");
    assert!(alerts.last().unwrap().text.contains("250"));

    assert!(
        h.outbox()
            .requeue_mail(&MailId::from_stored("poison-007"), h.clock.now())
            .await
            .unwrap()
    );
    *h.mailer.refused_to.lock().unwrap() = None;
    assert_eq!(h.app.redeliver_pending_mail(200).await.unwrap().sent, 1);
}

fn mail(id: &str, to: &str, created_at: OffsetDateTime) -> Mail {
    Mail {
        id: MailId::from_stored(id),
        kind: MailKind::Receipt,
        cart_id: None,
        to: EmailAddress::parse(to).unwrap(),
        subject: "Your receipt".to_owned(),
        text: "Thank you.".to_owned(),
        html: "<p>Thank you.</p>".to_owned(),
        created_at,
    }
}

/// Commits `mails` as alerts are, each guarded by its own absence.
async fn commit_mails(h: &Harness, mails: Vec<Mail>) {
    let conditions = mails
        .iter()
        .map(|m| Condition::MailAbsent(m.id.clone()))
        .collect();
    let commit = Commit {
        writes: Writes {
            conditions,
            mails,
            ..Writes::default()
        },
        delivery: None,
    };
    assert_eq!(
        h.store().commit(&commit).await.unwrap(),
        CommitResult::Committed
    );
}

/// The embedded store's outbox, except that recording a send always fails.
struct MarkFailing(Arc<SqliteStore>);

#[async_trait]
impl Outbox for MarkFailing {
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        self.0.due_mail(now, limit).await
    }
    async fn claim_mail(&self, id: &MailId, claim: &MailClaim) -> Result<bool, StoreError> {
        self.0.claim_mail(id, claim).await
    }
    async fn release_mail(
        &self,
        id: &MailId,
        by: &str,
        setback: &MailSetback,
    ) -> Result<bool, StoreError> {
        self.0.release_mail(id, by, setback).await
    }
    async fn mark_mail_sent(&self, _: &MailId, _: OffsetDateTime) -> Result<(), StoreError> {
        Err(StoreError::unavailable("store went away"))
    }
    async fn unsent_mail(&self, limit: usize) -> Result<Vec<QueuedMail>, StoreError> {
        self.0.unsent_mail(limit).await
    }
    async fn requeue_mail(&self, id: &MailId, now: OffsetDateTime) -> Result<bool, StoreError> {
        self.0.requeue_mail(id, now).await
    }
}
