//! The cases, one file per entity. Each takes a fresh, empty store and panics if the store
//! misbehaves. [`registry!`] below is the one list of them: it declares each module and runs
//! each case it names, and a case left out of it is dead code, which the build refuses.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::Arc;

use selectpay_domain::cart::{Cart, CartState, CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::futurepay::{Agreement, AgreementStatus};
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail::{Mail, StoredMail};
use selectpay_domain::mail_queue::{MailClaim, MailSetback, QueuedMail};
use selectpay_domain::store::{
    Activity, AgreementPage, CartChange, CartRecord, CommitResult, Condition, Delivery, Snapshot,
    StoreError, Writes,
};
use time::{Duration, OffsetDateTime};

use crate::Subject;
use crate::fixtures::{
    agreement, agreement_change, agreement_created, agreement_payment, at, bare_agreement, cart,
    cart_id, cart_is, commit, delivery, due_agreement, future_pay_cart, future_pay_id, happy_path,
    limited_plan, mail, mail_id, money, new_agreement, payment, regular_plan, sweep_commit,
    trans_id, trans_key,
};

/// Declares the case modules and, from the same list, `store_conformance_tests!`, which
/// expands into one `#[tokio::test]` per case. `$d` is a `$`, for the inner macro's own
/// metavariables. Cases are `pub(super)`: only the `run` wrappers made here reach them, so
/// one missing from the list is never used and fails the build under `-D warnings`.
macro_rules! registry {
    ($d:tt; $($module:ident { $($case:ident),+ $(,)? })+) => {
        $(mod $module;)+

        /// One wrapper per case, for the adapter crates' test binaries.
        #[doc(hidden)]
        pub mod run {
            use crate::Subject;
            $($(
                pub async fn $case<S: Subject>(store: S) {
                    super::$module::$case(store).await
                }
            )+)+
        }

        /// Expands into one `#[tokio::test]` per conformance case, each on a store made by
        /// `$make_store.await`.
        #[macro_export]
        macro_rules! store_conformance_tests {
            ($d make_store:expr) => {
                $($(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $case() {
                        $crate::cases::run::$case($d make_store.await).await;
                    }
                )+)+
            };
        }
    };
}

registry! { $;
    cart {
        cart_round_trips_every_field,
        a_carts_gateway_round_trips,
        inserting_a_cart_twice_is_refused,
        unknown_cart_is_none,
        a_future_pay_plan_round_trips_with_its_cart,
        times_keep_nanoseconds_and_come_back_in_utc,
        a_stored_plan_that_breaks_the_domains_checks_is_corrupt,
    }
    commit {
        commit_applies_every_write,
        commit_records_a_payment_for_an_unknown_cart,
        outcome_absent_fails_when_the_outcome_is_saved,
        cart_absent_fails_when_the_cart_exists,
        cart_is_fails_on_another_status,
        cart_is_fails_on_another_amount,
        cart_is_fails_on_another_currency,
        cart_is_fails_on_another_description,
        cart_is_fails_on_another_payer,
        cart_is_fails_on_whether_it_sells_a_plan,
        cart_is_fails_when_the_cart_is_missing,
        mail_absent_fails_when_the_mail_exists,
        an_unguarded_mail_breaks_the_contract,
        a_mail_that_exists_although_its_guard_held_breaks_the_contract,
        commit_without_conditions_or_mail_always_commits,
        concurrent_commits_apply_once,
        a_write_that_cannot_be_made_leaves_no_trace,
        a_commit_without_a_delivery_records_none,
    }
    snapshot {
        snapshot_reads_the_saved_outcome_and_the_cart,
        snapshot_reads_the_agreement,
    }
    mail {
        unsent_mail_is_oldest_first_and_leaves_out_sent_mail,
        marking_an_unknown_mail_sent_changes_nothing,
    }
    mail_lease {
        due_mail_is_by_next_attempt_and_skips_parked_mail,
        two_claimers_get_one_lease,
        an_expired_lease_can_be_claimed_again,
        mark_sent_by_a_claimer_whose_lease_expired_records_the_send,
        requeue_puts_unsent_mail_back_in_line,
        queue_calls_on_an_unknown_mail_change_nothing,
        mail_committed_under_a_lease_is_claimed_by_its_committer,
    }
    inspect {
        recent_is_newest_first_and_limited,
        agreements_are_newest_first_and_limited,
        cart_deliveries_are_the_carts_own_oldest_first,
        the_cart_of_a_transaction_is_found_by_its_payment,
        a_delivery_is_found_by_its_id,
    }
    agreement {
        agreement_round_trips_every_field,
        agreement_absent_fails_when_the_agreement_exists,
        agreement_at_fails_on_a_stale_version,
        agreement_at_fails_when_the_agreement_is_missing,
        agreement_at_applies_the_new_state,
        cart_lists_its_agreements,
        concurrent_agreement_changes_apply_once,
        a_stored_interval_multiplier_of_zero_is_corrupt,
    }
    payment_relabel {
        a_relabel_holds_the_payment_with_the_agreements_change,
        a_relabel_fails_unless_the_payment_is_as_read,
    }
    due {
        due_agreements_are_those_overdue_by_now,
        due_agreements_page_without_duplicates_or_gaps,
        due_agreements_page_on_while_the_sweep_ends_them,
        due_agreements_refuse_a_bad_cursor,
        an_ended_agreement_leaves_the_due_list,
        a_page_of_one_moves_on_one_agreement_at_a_time,
    }
    claims {
        open_claims_are_those_made_by_then_oldest_first,
        a_cart_keeps_its_first_claim_and_a_closed_one_stays_closed,
        closing_an_unknown_claim_changes_nothing,
    }
    awaiting {
        awaited_carts_stored_by_then_are_listed_oldest_first,
        the_shoppers_return_ends_the_wait_in_its_commit,
        only_a_committed_return_ends_the_wait,
        a_refused_insert_lists_nothing_more,
        a_cart_given_up_on_is_no_longer_listed,
    }
}

async fn insert<S: Subject>(store: &S, cart: &Cart) {
    store.insert_cart(cart).await.expect("insert cart");
}

async fn apply<S: Subject>(store: &S, writes: Writes, delivery: Delivery) -> CommitResult {
    store
        .commit(&commit(writes, delivery))
        .await
        .expect("commit")
}

async fn record<S: Subject>(store: &S, id: &CartId) -> CartRecord {
    store
        .cart(id)
        .await
        .expect("read cart")
        .expect("cart exists")
}

async fn recent<S: Subject>(store: &S) -> Activity {
    store.recent(1000).await.expect("recent")
}

/// Every unsent mail, as written.
async fn pending<S: Subject>(store: &S) -> Vec<Mail> {
    unsent(store).await.into_iter().map(|q| q.mail).collect()
}

async fn unsent<S: Subject>(store: &S) -> Vec<QueuedMail> {
    store.unsent_mail(1000).await.expect("unsent mail")
}

fn by_id(mut mails: Vec<Mail>) -> Vec<Mail> {
    mails.sort_by(|a, b| a.id.cmp(&b.id));
    mails
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

/// Far enough that every fixture agreement is due by then.
fn end_of_days() -> OffsetDateTime {
    at(100 * 365 * 86_400)
}

async fn stored_agreement<S: Subject>(store: &S, id: &FuturePayId) -> Option<Agreement> {
    store.agreement(id).await.expect("read agreement")
}

async fn due<S: Subject>(store: &S, now: OffsetDateTime) -> Vec<Agreement> {
    let page = store
        .due_agreements(now, None, NonZeroUsize::MAX)
        .await
        .expect("due agreements");
    assert_eq!(page.next, None, "a page with room to spare is the last");
    page.agreements
}

fn agreement_ids(agreements: &[Agreement]) -> Vec<String> {
    ids(agreements, |a| a.id.to_string())
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Commits the creation of `agreement`, which must succeed.
async fn create_agreement<S: Subject>(store: &S, agreement: &Agreement) {
    let result = store
        .commit(&sweep_commit(new_agreement(agreement)))
        .await
        .expect("commit");
    assert_eq!(result, CommitResult::Committed, "creating {}", agreement.id);
}

/// Everything a store shows, to prove a refused commit left no trace anywhere.
#[derive(Debug, PartialEq)]
struct Everything {
    cart: Option<CartRecord>,
    snapshot: Snapshot,
    agreement: Option<Agreement>,
    agreements: Vec<Agreement>,
    due: AgreementPage,
    activity: Activity,
    unsent: Vec<QueuedMail>,
}

async fn everything<S: Subject>(
    store: &S,
    key: &IdempotencyKey,
    cart_id: &CartId,
    agreement: Option<&FuturePayId>,
) -> Everything {
    Everything {
        cart: store.cart(cart_id).await.expect("read cart"),
        snapshot: store
            .snapshot(key, cart_id, agreement)
            .await
            .expect("snapshot"),
        agreement: match agreement {
            Some(id) => stored_agreement(store, id).await,
            None => None,
        },
        agreements: store.agreements(1000).await.expect("agreements"),
        due: store
            .due_agreements(end_of_days(), None, NonZeroUsize::MAX)
            .await
            .expect("due agreements"),
        activity: recent(store).await,
        unsent: unsent(store).await,
    }
}

/// The agreement `writes` are about: the one they write, or else the one a condition names.
fn agreement_of(writes: &Writes) -> Option<FuturePayId> {
    let named = writes.conditions.iter().find_map(|c| match c {
        Condition::AgreementAbsent(id) | Condition::AgreementAt { id, .. } => Some(id.clone()),
        _ => None,
    });
    writes.agreement.as_ref().map(|a| a.id.clone()).or(named)
}

/// Commits `writes` with a delivery, expects a condition to fail, and checks that nothing at
/// all changed: no outcome, payment, cart change, agreement change, delivery or mail.
async fn refused<S: Subject>(store: &S, cart_id: &CartId, writes: Writes) {
    let key = writes
        .saved_outcome
        .as_ref()
        // Without a saved outcome any key shows that none was written.
        .map_or_else(|| trans_key("unsaved"), |saved| saved.key.clone());
    let agreement = agreement_of(&writes);
    let before = everything(store, &key, cart_id, agreement.as_ref()).await;
    let result = apply(store, writes, delivery("refused", Some(cart_id), at(300))).await;
    assert_eq!(result, CommitResult::ConditionFailed);
    assert_eq!(
        everything(store, &key, cart_id, agreement.as_ref()).await,
        before,
        "a commit whose condition failed wrote something"
    );
}

/// Happy-path writes for `trans` on `cart` whose conditions are replaced by `conditions`.
fn guarded(cart: &Cart, trans: &str, conditions: Vec<Condition>) -> Writes {
    Writes {
        conditions,
        ..happy_path(cart, trans)
    }
}
