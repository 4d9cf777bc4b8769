//! Carts sent to Opayo whose shopper never came back: listed after the stale time until any
//! result arrives, mailed to the merchant once a day by the sweep, and paid by a result the
//! merchant replays, on both stores.

use std::num::NonZeroUsize;

use selectpay_app::ReplayError;
use selectpay_app::sweep::SweepAction;
use selectpay_domain::cart::CartStatus;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::ports::Clock;

use crate::opayo_returns::{OPAYO, VPS_TX_ID, back, crypt, opayo_cart};
use crate::support::*;

const TWO_HOURS: time::Duration = time::Duration::hours(2);
const LIMIT: NonZeroUsize = NonZeroUsize::new(50).unwrap();

async fn stale(h: &Harness) -> Vec<String> {
    h.app
        .stale_carts(h.clock.now(), LIMIT)
        .await
        .unwrap()
        .into_iter()
        .map(|cart| cart.cart_id.to_string())
        .collect()
}

fn stale_alerts(h: &Harness) -> Vec<Mail> {
    h.sent_of(MailKind::MerchantAlert)
        .into_iter()
        .filter(|m| m.subject.contains("with no result from the shopper"))
        .collect()
}

async fn only_carts_without_any_result_go_stale_after_the_stale_time(h: Harness) {
    let paid = opayo_cart(&h).await;
    let aborted = opayo_cart(&h).await;
    let declined = opayo_cart(&h).await;
    let held = opayo_cart(&h).await;
    h.advance(time::Duration::minutes(1));
    let never_back = opayo_cart(&h).await;
    h.cart("worldpay-1", "14.99", "GBP").await;
    let vps = |n: u8| format!("{{5A1C2B3D-0000-4000-8000-0000000000{n:02}}}");
    back(&h, &crypt("OK", &paid, &vps(1), "14.99")).await;
    back(&h, &crypt("ABORT", &aborted, &vps(2), "14.99")).await;
    back(&h, &crypt("NOTAUTHED", &declined, &vps(3), "14.99")).await;
    back(&h, &crypt("OK", &held, &vps(4), "1.00")).await;

    assert!(stale(&h).await.is_empty(), "not stale before two hours");
    h.advance(TWO_HOURS);
    assert_eq!(stale(&h).await, vec![never_back.clone()]);
    assert_eq!(h.record(&declined).await.cart.status, CartStatus::Pending);

    let listed = h.app.stale_carts(h.clock.now(), LIMIT).await.unwrap();
    assert_eq!(listed[0].amount.to_string(), "14.99 GBP");
}

async fn the_sweep_mails_the_list_once_a_day(h: Harness) {
    let first = opayo_cart(&h).await;
    let second = opayo_cart(&h).await;

    let early = h.sweep().await;
    assert_eq!((early.stale_carts, early.stale_cart_alerts), (0, 0));
    assert!(stale_alerts(&h).is_empty(), "no alert for an empty list");

    h.advance(TWO_HOURS + time::Duration::minutes(1));
    let options = selectpay_app::sweep::SweepOptions {
        now: h.clock.now(),
        ..Default::default()
    };
    let dry = h.app.sweep(SweepAction::Report, &options).await.unwrap();
    assert_eq!((dry.stale_carts, dry.stale_cart_alerts), (2, 0));
    assert!(stale_alerts(&h).is_empty(), "a dry run mails nothing");
    let due = h.sweep().await;
    assert_eq!((due.stale_carts, due.stale_cart_alerts), (2, 1));
    let alerts = stale_alerts(&h);
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.to.as_str(), "merchant@shop.example");
    for id in [&first, &second] {
        assert!(alert.text.contains(id.as_str()), "{}", alert.text);
        assert!(alert.html.contains(id.as_str()));
    }
    assert!(alert.text.contains("14.99 GBP"));
    assert!(alert.text.contains("selectpay replay --opayo"));
    for shopper in ["Zoë", "Müller", "zoe@example.com", "High St"] {
        assert!(
            !alert.text.contains(shopper),
            "no shopper details: {shopper}"
        );
    }

    // Every five minutes, and two at once, for the rest of the day: no second mail.
    for _ in 0..3 {
        h.advance(time::Duration::minutes(5));
        let (a, b) = tokio::join!(h.sweep(), h.sweep());
        assert_eq!(a.stale_cart_alerts + b.stale_cart_alerts, 0);
        assert_eq!(a.stale_carts, 2);
    }
    assert_eq!(stale_alerts(&h).len(), 1);

    // The next day, still no result: one more list, of the cart still awaited.
    back(&h, &crypt("ABORT", &first, VPS_TX_ID, "14.99")).await;
    h.advance(time::Duration::days(1));
    let (a, b) = tokio::join!(h.sweep(), h.sweep());
    assert_eq!(a.stale_cart_alerts + b.stale_cart_alerts, 1);
    let alerts = stale_alerts(&h);
    assert_eq!(alerts.len(), 2);
    assert!(alerts[1].text.contains(second.as_str()));
    assert!(!alerts[1].text.contains(first.as_str()));
}

async fn a_replayed_result_pays_the_cart_and_a_repeat_changes_nothing(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    let crypt = crypt("OK", &cart_id, VPS_TX_ID, "14.99");
    let url = format!("https://shop.example/return/opayo?crypt={crypt}");
    h.advance(TWO_HOURS + time::Duration::minutes(1));

    let decided = h.app.replay_opayo(&url, false).await.unwrap();
    assert_eq!((decided.outcome.as_str(), decided.applied), ("paid", false));
    assert!(decided.effects.iter().any(|e| e.contains("mark cart")));
    assert_eq!(h.record(&cart_id).await.cart.status, CartStatus::Pending);
    assert!(h.sent().is_empty(), "only decided: no mail");
    assert_eq!(stale(&h).await, vec![cart_id.clone()]);

    let applied = h.app.replay_opayo(&url, true).await.unwrap();
    assert_eq!((applied.outcome.as_str(), applied.applied), ("paid", true));
    assert_eq!(applied.mail.label(), "sent");
    let record = h.record(&cart_id).await;
    assert_eq!(record.cart.status, CartStatus::Paid);
    assert_eq!(record.payments.len(), 1);
    assert!(stale(&h).await.is_empty(), "paid: no longer awaited");

    // The shopper's browser comes back after all, and the merchant replays again.
    let page = back(&h, &crypt).await;
    assert!(body_text(&page).contains("Thank you"));
    let again = h.app.replay_opayo(&crypt, true).await.unwrap();
    assert_eq!(again.outcome, "duplicate");
    assert!(again.effects.is_empty());
    assert_eq!(h.record(&cart_id).await.payments.len(), 1);
    assert_eq!(h.sent_of(MailKind::Receipt).len(), 1);
    assert_eq!(h.sent_of(MailKind::OrderNotice).len(), 1);
}

async fn a_replay_after_the_shoppers_return_changes_nothing(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    let crypt = crypt("OK", &cart_id, VPS_TX_ID, "14.99");
    back(&h, &crypt).await;
    let sent = h.sent().len();

    let decided = h.app.replay_opayo(&crypt, false).await.unwrap();
    assert_eq!(decided.outcome, "duplicate");
    let applied = h.app.replay_opayo(&crypt, true).await.unwrap();
    assert_eq!(
        (applied.outcome.as_str(), applied.effects.len()),
        ("duplicate", 0)
    );
    assert_eq!(h.sent().len(), sent);
    assert_eq!(h.record(&cart_id).await.payments.len(), 1);
}

async fn a_crypt_that_does_not_read_is_refused_and_recorded_nowhere(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    let good = crypt("OK", &cart_id, VPS_TX_ID, "14.99");
    for input in [
        &good[..good.len() - 32],
        "https://shop.example/return/opayo",
        "@ZZ",
    ] {
        let refused = h.app.replay_opayo(input, true).await;
        assert!(
            matches!(refused, Err(ReplayError::Refused(_))),
            "{input}: {refused:?}"
        );
    }
    assert!(h.inspect().recent(10).await.unwrap().deliveries.is_empty());
    assert!(h.sent().is_empty());
}

async fn a_stored_return_is_replayed_by_its_id_as_opayos(h: Harness) {
    let cart_id = opayo_cart(&h).await;
    back(&h, &crypt("OK", &cart_id, VPS_TX_ID, "14.99")).await;
    let sent = h.sent().len();
    let deliveries = h
        .inspect()
        .cart_deliveries(&CartId::parse(&cart_id).unwrap())
        .await;
    let stored = deliveries.unwrap().pop().expect("the return is stored");

    let decided = h.app.replay_stored(&stored, false).await.unwrap();
    assert_eq!(
        decided.outcome, "duplicate",
        "read as Opayo's, not WorldPay's"
    );
    let applied = h.app.replay_stored(&stored, true).await.unwrap();
    assert_eq!(
        (applied.outcome.as_str(), applied.applied),
        ("duplicate", true)
    );
    assert_eq!(h.record(&cart_id).await.payments.len(), 1);
    assert_eq!(h.sent().len(), sent);
}

on_both_stores!(env = OPAYO;
    only_carts_without_any_result_go_stale_after_the_stale_time,
    the_sweep_mails_the_list_once_a_day,
    a_replayed_result_pays_the_cart_and_a_repeat_changes_nothing,
    a_replay_after_the_shoppers_return_changes_nothing,
    a_crypt_that_does_not_read_is_refused_and_recorded_nowhere,
    a_stored_return_is_replayed_by_its_id_as_opayos,
);
