//! The outbox: pending mail and marking it sent.

use super::*;

pub(super) async fn pending_mail_is_oldest_first_before_the_cutoff<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    // Written out of order, across commits, so order must come from created_at.
    for (n, seconds) in [(3, 30), (1, 10), (4, 40), (2, 20)] {
        let writes = Writes::alert(mail(&format!("m{n}"), Some(&cart.id), at(seconds)));
        let result = apply(
            &store,
            writes,
            delivery(&format!("d{n}"), None, at(seconds)),
        )
        .await;
        assert_eq!(result, CommitResult::Committed);
    }
    let shared = &store;
    let pending_ids = move |before, limit| async move {
        let mails = shared.pending_mail(before, limit).await.expect("pending");
        ids(&mails, |m| m.id.clone())
    };
    assert_eq!(
        pending_ids(at(30), 10).await,
        ["m1", "m2"],
        "strictly before"
    );
    assert_eq!(pending_ids(later(), 3).await, ["m1", "m2", "m3"]);
    assert!(pending_ids(at(10), 10).await.is_empty());

    store.mark_mail_sent("m1", at(50)).await.expect("mark sent");
    assert_eq!(pending_ids(later(), 10).await, ["m2", "m3", "m4"]);
    let mut mails = record(&store, &cart.id).await.mails;
    mails.sort_by(|a, b| a.mail.id.cmp(&b.mail.id));
    let sent: Vec<_> = mails
        .iter()
        .map(|m| (m.mail.id.as_str(), m.sent_at))
        .collect();
    assert_eq!(
        sent,
        [
            ("m1", Some(at(50))),
            ("m2", None),
            ("m3", None),
            ("m4", None)
        ]
    );
}

/// Marking a mail that does not exist changes nothing; in particular it does not create one.
pub(super) async fn marking_an_unknown_mail_sent_changes_nothing<S: Subject>(store: S) {
    store
        .mark_mail_sent("no-such-mail", at(50))
        .await
        .expect("mark sent");
    assert_eq!(recent(&store).await, Activity::default());
    assert!(pending(&store).await.is_empty());
}

