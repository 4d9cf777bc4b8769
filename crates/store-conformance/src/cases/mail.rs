//! The outbox: unsent mail as written, and marking it sent.

use super::*;

pub(super) async fn unsent_mail_is_oldest_first_and_leaves_out_sent_mail<S: Subject>(store: S) {
    let cart = cart("cart-1");
    insert(&store, &cart).await;
    // Written out of order, across commits, so order must come from created_at.
    for (n, seconds) in [(3, 30), (1, 10), (4, 40), (2, 20)] {
        let writes = Writes::alert(mail(mail_id(&format!("m{n}")), Some(&cart.id), at(seconds)));
        let result = apply(
            &store,
            writes,
            delivery(&format!("d{n}"), None, at(seconds)),
        )
        .await;
        assert_eq!(result, CommitResult::Committed);
    }
    let shared = &store;
    let unsent_ids = move |limit| async move {
        let unsent = shared.unsent_mail(limit).await.expect("unsent");
        ids(&unsent, |q| q.mail.id.to_string())
    };
    assert_eq!(unsent_ids(10).await, ["m1", "m2", "m3", "m4"]);
    assert_eq!(unsent_ids(3).await, ["m1", "m2", "m3"]);
    let first = &store.unsent_mail(1).await.expect("unsent")[0];
    assert_eq!(
        (first.attempts, first.next_attempt_at, first.claimed_until),
        (0, at(10), None),
        "a new mail is due at once, never tried"
    );
    assert_eq!((&first.last_error, first.failed_at), (&None, None));

    store.mark_mail_sent(&mail_id("m1"), at(50)).await.expect("mark sent");
    assert_eq!(unsent_ids(10).await, ["m2", "m3", "m4"]);
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
        .mark_mail_sent(&mail_id("no-such-mail"), at(50))
        .await
        .expect("mark sent");
    assert_eq!(recent(&store).await, Activity::default());
    assert!(pending(&store).await.is_empty());
}
