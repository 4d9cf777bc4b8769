//! Fifty identical callbacks at once: a gateway retry storm, a refreshing shopper.

use crate::support;

use std::sync::Arc;

use selectpay_domain::mail::MailKind;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_identical_callbacks_pay_once_and_mail_once() {
    let h = Arc::new(Harness::test_mode());
    h.cart("c1", "14.99", "GBP").await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let h = Arc::clone(&h);
            tokio::spawn(async move { h.send(&payment("c1", "14.99")).await })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.expect("delivery task completes"));
    }

    assert!(responses.iter().all(|r| r.status() == 200));
    let first = responses[0].body();
    assert!(
        responses.iter().all(|r| r.body() == first),
        "identical pages"
    );
    assert_eq!(h.record("c1").await.payments.len(), 1);
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1);
    assert_eq!(h.sent_of(MailKind::OrderNotice).len(), 1);
    let deliveries = h.inspect().recent(100).await.unwrap().deliveries;
    assert_eq!(deliveries.len(), 50, "every delivery kept");
}
