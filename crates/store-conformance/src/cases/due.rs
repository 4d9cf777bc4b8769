//! The due list the sweep pages through (`DueAgreements`).

use super::*;

/// Creates `agreements` due at the given whole days after `T0` (never if `None`), written
/// out of the order they are due in.
async fn create_due<S: Subject>(store: &S, agreements: &[(&str, Option<i64>)]) -> Vec<Agreement> {
    let cart = cart_id("cart-1");
    let mut created = Vec::new();
    for (id, day) in agreements {
        let agreement = due_agreement(id, &cart, day.map(|d| at(d * 86_400)));
        create_agreement(store, &agreement).await;
        created.push(agreement);
    }
    created
}

fn assert_earliest_first(agreements: &[Agreement]) {
    let times: Vec<_> = agreements.iter().map(|a| a.overdue_at).collect();
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "due agreements out of order: {times:?}"
    );
}

/// Due are exactly the agreements whose `overdue_at` is at or before now, earliest first,
/// read back whole: not those due later, not those never due.
pub(super) async fn due_agreements_are_those_overdue_by_now<S: Subject>(store: S) {
    let created = create_due(
        &store,
        &[
            ("fp-3", Some(30)),
            ("fp-future", Some(400)),
            ("fp-1", Some(10)),
            ("fp-never", None),
            ("fp-2b", Some(20)),
            ("fp-2a", Some(20)),
        ],
    )
    .await;
    let late = due_agreement("fp-late", &cart_id("cart-1"), Some(at(30 * 86_400 + 1)));
    create_agreement(&store, &late).await;

    let now = at(30 * 86_400);
    let listed = due(&store, now).await;
    assert_eq!(
        sorted(agreement_ids(&listed)),
        ["fp-1", "fp-2a", "fp-2b", "fp-3"]
    );
    assert_earliest_first(&listed);
    assert_eq!(listed[0].id, future_pay_id("fp-1"));
    for agreement in &listed {
        assert!(created.contains(agreement), "{agreement:?} was not written");
    }

    assert!(due(&store, at(10 * 86_400 - 1)).await.is_empty());
    assert_eq!(agreement_ids(&due(&store, at(10 * 86_400)).await), ["fp-1"]);
    assert_eq!(due(&store, end_of_days()).await.len(), 6);
}

const SEVEN_DUE: &[(&str, Option<i64>)] = &[
    ("fp-e", Some(3)),
    ("fp-a", Some(2)),
    ("fp-x", Some(2000)),
    ("fp-g", Some(4)),
    ("fp-c", Some(2)),
    ("fp-b", Some(1)),
    ("fp-y", None),
    ("fp-f", Some(4)),
    ("fp-d", Some(2)),
];

const SEVEN_DUE_IDS: [&str; 7] = ["fp-a", "fp-b", "fp-c", "fp-d", "fp-e", "fp-f", "fp-g"];

/// Reads every page of agreements due at `now`, `limit` at a time, doing `between` with each
/// page before reading the next.
async fn page_through<S: Subject>(
    store: &S,
    now: OffsetDateTime,
    limit: NonZeroUsize,
    between: impl AsyncFn(&[Agreement]),
) -> Vec<Vec<Agreement>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .due_agreements(now, after.as_deref(), limit)
            .await
            .expect("due agreements");
        assert!(page.agreements.len() <= limit.get(), "a page exceeds its limit");
        between(&page.agreements).await;
        pages.push(page.agreements);
        assert!(pages.len() <= 20, "paging does not end");
        match page.next {
            Some(next) => after = Some(next),
            None => return pages,
        }
    }
}

fn assert_no_duplicates(ids: &[String]) {
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "an agreement came twice: {ids:?}");
}

/// Seven due (with ties on `overdue_at`) read three at a time come as 3 + 3 + 1, each once,
/// earliest first across pages; the last page has no `next`.
pub(super) async fn due_agreements_page_without_duplicates_or_gaps<S: Subject>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    let now = at(1000 * 86_400);
    let pages = page_through(&store, now, limit(3), async |_: &[Agreement]| {}).await;
    let sizes: Vec<_> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let all: Vec<_> = pages.concat();
    assert_earliest_first(&all);
    let ids = agreement_ids(&all);
    assert_no_duplicates(&ids);
    assert_eq!(sorted(ids), SEVEN_DUE_IDS);

    let pages = page_through(&store, now, limit(7), async |_: &[Agreement]| {}).await;
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), 7);
}

/// The sweep ends the agreements of each page before it reads the next, which takes them
/// out of the due list: paging on still gives every due agreement, none twice.
pub(super) async fn due_agreements_page_on_while_the_sweep_ends_them<S: Subject>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    let now = at(1000 * 86_400);
    let end_all = async |page: &[Agreement]| {
        for agreement in page {
            let ended = agreement.ended(AgreementStatus::CancelledForNonPayment);
            let result = store
                .commit(&sweep_commit(agreement_change(agreement, ended)))
                .await
                .expect("commit");
            assert_eq!(result, CommitResult::Committed);
        }
    };
    let pages = page_through(&store, now, limit(3), end_all).await;
    let ids = agreement_ids(&pages.concat());
    assert_no_duplicates(&ids);
    assert_eq!(sorted(ids), SEVEN_DUE_IDS);
    assert!(due(&store, now).await.is_empty());
    assert_eq!(agreement_ids(&due(&store, end_of_days()).await), ["fp-x"]);
}

/// A cursor the store did not make is an error, not a silent restart or end.
pub(super) async fn due_agreements_refuse_a_bad_cursor<S: Subject>(store: S) {
    create_due(&store, SEVEN_DUE).await;
    for bad in ["", "not a cursor", "\u{1}"] {
        let result = store.due_agreements(end_of_days(), Some(bad), limit(3)).await;
        assert!(result.is_err(), "cursor {bad:?} gave {result:?}");
    }
}

/// An agreement leaves the due list when it ends (its `overdue_at` is cleared) and, until
/// the new time, when a payment moves its `overdue_at` later.
pub(super) async fn an_ended_agreement_leaves_the_due_list<S: Subject>(store: S) {
    let cart = cart_id("cart-1");
    let now = at(40 * 86_400);
    let ending = due_agreement("fp-1", &cart, Some(at(35 * 86_400)));
    let paying = due_agreement("fp-2", &cart, Some(at(36 * 86_400)));
    create_agreement(&store, &ending).await;
    create_agreement(&store, &paying).await;
    assert_eq!(agreement_ids(&due(&store, now).await), ["fp-1", "fp-2"]);

    let ended = ending.ended(AgreementStatus::CancelledForNonPayment);
    let paid = paying.paid(at(39 * 86_400));
    let later = paid
        .overdue_at
        .expect("an unfinished agreement stays scheduled");
    assert!(later > now);
    for (old, new) in [(&ending, ended.clone()), (&paying, paid.clone())] {
        let result = store
            .commit(&sweep_commit(agreement_change(old, new)))
            .await
            .expect("commit");
        assert_eq!(result, CommitResult::Committed);
    }
    assert!(due(&store, now).await.is_empty());
    assert_eq!(due(&store, later).await, vec![paid]);
    assert_eq!(agreement_ids(&due(&store, end_of_days()).await), ["fp-2"]);
    assert_eq!(stored_agreement(&store, &ending.id).await, Some(ended));
}

fn limit(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).expect("a page limit is more than zero")
}

/// The smallest page there is still moves on: one agreement, then the next, then the end.
pub(super) async fn a_page_of_one_moves_on_one_agreement_at_a_time<S: Subject>(store: S) {
    create_due(&store, &[("fp-1", Some(1)), ("fp-2", Some(2))]).await;
    let now = end_of_days();
    let first = store
        .due_agreements(now, None, NonZeroUsize::MIN)
        .await
        .expect("first page");
    assert_eq!(agreement_ids(&first.agreements), ["fp-1"]);
    let second = store
        .due_agreements(now, first.next.as_deref(), NonZeroUsize::MIN)
        .await
        .expect("second page");
    assert_eq!(agreement_ids(&second.agreements), ["fp-2"]);
    assert_eq!(second.next, None);
}
