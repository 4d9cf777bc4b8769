//! The mail queue's cases: next-attempt order, the lease (two claimers, an expired lease,
//! mark-sent by a claimer whose lease expired), parking and putting mail back in line.

use super::*;

/// Commits one mail per `(id, created second)`, each in its own commit, as an alert.
async fn mails<S: Subject>(store: &S, created: &[(&str, i64)]) {
    let cart = cart("cart-1");
    insert(store, &cart).await;
    for (id, seconds) in created {
        let writes = Writes::alert(mail(mail_id(id), Some(&cart.id), at(*seconds)));
        let result = apply(
            store,
            writes,
            delivery(&format!("d-{id}"), None, at(*seconds)),
        )
        .await;
        assert_eq!(result, CommitResult::Committed);
    }
}

fn claim(by: &str, now: i64, until: i64) -> MailClaim {
    MailClaim {
        by: by.to_owned(),
        now: at(now),
        until: at(until),
    }
}

async fn claims<S: Subject>(store: &S, id: &str, claim: MailClaim) -> bool {
    store.claim_mail(&mail_id(id), &claim).await.expect("claim")
}

/// The ids of the mail due at second `now`, in the order given.
async fn due_ids<S: Subject>(store: &S, now: i64) -> Vec<String> {
    let due = store.due_mail(at(now), 100).await.expect("due mail");
    due.into_iter().map(|q| q.mail.id.to_string()).collect()
}

async fn unsent_one<S: Subject>(store: &S, id: &str) -> Option<QueuedMail> {
    unsent(store).await.into_iter().find(|q| q.mail.id.as_str() == id)
}

fn retry(at_second: i64, error: &str) -> MailSetback {
    MailSetback::Retry {
        at: at(at_second),
        error: error.to_owned(),
    }
}

pub(super) async fn due_mail_is_by_next_attempt_and_skips_parked_mail<S: Subject>(store: S) {
    mails(&store, &[("m3", 30), ("m1", 10), ("m2", 20)]).await;
    assert_eq!(due_ids(&store, 25).await, ["m1", "m2"], "due once written");

    assert!(claims(&store, "m2", claim("a", 25, 145)).await);
    assert_eq!(
        due_ids(&store, 100).await,
        ["m1", "m3"],
        "a claim moves the next attempt"
    );
    assert_eq!(due_ids(&store, 145).await, ["m1", "m3", "m2"]);

    let released = store.release_mail(&mail_id("m2"), "a", &retry(40, "refused")).await;
    assert!(released.expect("release"));
    assert_eq!(
        due_ids(&store, 100).await,
        ["m1", "m3", "m2"],
        "by next attempt"
    );
    let m2 = unsent_one(&store, "m2").await.expect("m2 unsent");
    assert_eq!(
        (m2.attempts, m2.next_attempt_at, m2.claimed_until),
        (1, at(40), None)
    );
    assert_eq!(m2.last_error.as_deref(), Some("refused"));

    assert!(claims(&store, "m1", claim("b", 100, 220)).await);
    let park = MailSetback::Park {
        at: at(101),
        error: "address refused".to_owned(),
    };
    assert!(store.release_mail(&mail_id("m1"), "b", &park).await.expect("park"));
    assert_eq!(
        due_ids(&store, 1_000_000).await,
        ["m3", "m2"],
        "parked mail is not due"
    );
    let m1 = unsent_one(&store, "m1")
        .await
        .expect("parked mail is still unsent");
    assert_eq!((m1.failed_at, m1.attempts), (Some(at(101)), 1));
    assert_eq!(m1.last_error.as_deref(), Some("address refused"));
    assert!(
        !claims(&store, "m1", claim("c", 1_000_000, 1_000_100)).await,
        "parked mail cannot be claimed"
    );
    assert_eq!(store.due_mail(at(100), 1).await.expect("due").len(), 1);
}

pub(super) async fn two_claimers_get_one_lease<S: Subject>(store: S) {
    mails(&store, &[("m1", 10)]).await;
    let store = Arc::new(store);
    let contenders: Vec<_> = (0..8)
        .map(|n| {
            let store = Arc::clone(&store);
            let claim = claim(&format!("c{n}"), 20, 140);
            tokio::spawn(async move { claims(&*store, "m1", claim).await })
        })
        .collect();
    let mut won = 0;
    for contender in contenders {
        won += usize::from(contender.await.expect("claimer"));
    }
    assert_eq!(won, 1, "one lease however many claim at once");
    assert!(
        !claims(&*store, "m1", claim("late", 139, 259)).await,
        "the lease holds"
    );
    assert_eq!(unsent_one(&*store, "m1").await.expect("unsent").attempts, 1);
}

pub(super) async fn an_expired_lease_can_be_claimed_again<S: Subject>(store: S) {
    mails(&store, &[("m1", 10)]).await;
    assert!(claims(&store, "m1", claim("a", 10, 130)).await);
    assert!(!claims(&store, "m1", claim("b", 129, 249)).await);
    assert!(
        claims(&store, "m1", claim("b", 130, 250)).await,
        "expired at its end"
    );
    let queued = unsent_one(&store, "m1").await.expect("unsent");
    assert_eq!((queued.attempts, queued.claimed_until), (2, Some(at(250))));
    let stale = store
        .release_mail(&mail_id("m1"), "a", &retry(131, "late news"))
        .await;
    assert!(!stale.expect("release"), "a's lease is gone");
    assert_eq!(
        unsent_one(&store, "m1").await.expect("unsent"),
        queued,
        "b's claim stands"
    );
}

pub(super) async fn mark_sent_by_a_claimer_whose_lease_expired_records_the_send<S: Subject>(store: S) {
    mails(&store, &[("m1", 10)]).await;
    assert!(claims(&store, "m1", claim("a", 10, 130)).await);
    assert!(claims(&store, "m1", claim("b", 200, 320)).await);
    // a's send went out after all: recording it keeps b's lease from ever being renewed.
    store
        .mark_mail_sent(&mail_id("m1"), at(210))
        .await
        .expect("mark sent");
    assert!(unsent_one(&store, "m1").await.is_none());
    assert!(due_ids(&store, 1_000_000).await.is_empty());
    let late = store.release_mail(&mail_id("m1"), "b", &retry(220, "timeout")).await;
    assert!(!late.expect("release"), "a sent mail is not put back");
    assert!(!claims(&store, "m1", claim("c", 1_000_000, 1_000_120)).await);
    let record = store
        .cart(&cart("cart-1").id)
        .await
        .expect("cart")
        .expect("cart");
    assert_eq!(record.mails[0].sent_at, Some(at(210)));
}

pub(super) async fn requeue_puts_unsent_mail_back_in_line<S: Subject>(store: S) {
    mails(&store, &[("m1", 10), ("m2", 20)]).await;
    assert!(claims(&store, "m1", claim("a", 10, 130)).await);
    let park = MailSetback::Park {
        at: at(11),
        error: "refused".to_owned(),
    };
    assert!(store.release_mail(&mail_id("m1"), "a", &park).await.expect("park"));
    assert!(store.requeue_mail(&mail_id("m1"), at(500)).await.expect("requeue"));
    let m1 = unsent_one(&store, "m1").await.expect("unsent");
    assert_eq!(
        (m1.attempts, m1.failed_at, m1.next_attempt_at),
        (0, None, at(500))
    );
    assert_eq!(due_ids(&store, 500).await, ["m2", "m1"]);

    assert!(claims(&store, "m2", claim("b", 500, 620)).await);
    let held = store.requeue_mail(&mail_id("m2"), at(501)).await.expect("requeue");
    assert!(!held, "a held lease is not broken");
    store
        .mark_mail_sent(&mail_id("m2"), at(502))
        .await
        .expect("mark sent");
    assert!(
        !store.requeue_mail(&mail_id("m2"), at(700)).await.expect("requeue"),
        "sent"
    );
    assert!(!store.requeue_mail(&mail_id("nope"), at(700)).await.expect("requeue"));
}

pub(super) async fn queue_calls_on_an_unknown_mail_change_nothing<S: Subject>(store: S) {
    assert!(!claims(&store, "ghost", claim("a", 10, 130)).await);
    let released = store.release_mail(&mail_id("ghost"), "a", &retry(20, "x")).await;
    assert!(!released.expect("release"));
    assert!(!store.requeue_mail(&mail_id("ghost"), at(30)).await.expect("requeue"));
    assert!(store.unsent_mail(100).await.expect("unsent").is_empty());
    assert!(store.recent(100).await.expect("recent").mails.is_empty());
}

/// A commit's `mail_lease`: its mail is written as if claimed in the same commit, so no
/// other sender takes it before the lease ends, and the committer can release it.
pub(super) async fn mail_committed_under_a_lease_is_claimed_by_its_committer<S: Subject>(
    store: S,
) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    let writes = Writes {
        mail_lease: Some(claim("committer", 10, 130)),
        ..Writes::alert(mail(mail_id("m1"), Some(&cart.id), at(10)))
    };
    let result = apply(&store, writes, delivery("d-m1", None, at(10))).await;
    assert_eq!(result, CommitResult::Committed);

    assert!(due_ids(&store, 129).await.is_empty(), "leased: not due");
    let m1 = unsent_one(&store, "m1").await.expect("m1 unsent");
    assert_eq!(
        (m1.attempts, m1.next_attempt_at, m1.claimed_until),
        (1, at(130), Some(at(130))),
        "one attempt counted, leased until 130"
    );
    assert!(
        !claims(&store, "m1", claim("other", 100, 220)).await,
        "another claimer waits for the lease"
    );
    let released = store
        .release_mail(&mail_id("m1"), "committer", &retry(140, "refused"))
        .await;
    assert!(released.expect("release"), "the committer holds the lease");
    assert_eq!(due_ids(&store, 140).await, ["m1"]);
    assert!(claims(&store, "m1", claim("other", 140, 260)).await);
}
