//! The behaviour every [`Store`](selectpay_domain::ports::Store) must have, written once and
//! run against each adapter, so the embedded store and the DynamoDB one cannot drift apart.
//!
//! An adapter's test file is one line; the expression must be a future of a fresh, empty
//! store, and the adapter crate needs `tokio` (with `macros` and `rt-multi-thread`):
//!
//! ```ignore
//! selectpay_store_conformance::store_conformance_tests!(async { MyStore::new().await });
//! ```

mod cases;
pub mod fixtures;

pub use cases::*;

/// Expands into one `#[tokio::test]` per conformance case, each on a store made by
/// `$make_store.await`.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make_store:expr) => {
        $crate::store_conformance_tests!(@cases $make_store;
            cart_round_trips_every_field,
            inserting_a_cart_twice_is_refused,
            unknown_cart_is_none,
            commit_applies_every_write,
            commit_records_a_payment_for_an_unknown_cart,
            outcome_absent_fails_when_the_outcome_is_saved,
            cart_absent_fails_when_the_cart_exists,
            cart_is_fails_on_another_status,
            cart_is_fails_on_another_amount,
            cart_is_fails_on_another_currency,
            cart_is_fails_on_another_payer,
            cart_is_fails_on_whether_it_sells_a_plan,
            cart_is_fails_when_the_cart_is_missing,
            mail_absent_fails_when_the_mail_exists,
            commit_without_conditions_always_commits,
            snapshot_reads_the_saved_outcome_and_the_cart,
            pending_mail_is_oldest_first_before_the_cutoff,
            concurrent_commits_apply_once,
            recent_is_newest_first_and_limited,
            a_write_that_cannot_be_made_leaves_no_trace,
            marking_an_unknown_mail_sent_changes_nothing,
            agreement_round_trips_every_field,
            agreement_absent_fails_when_the_agreement_exists,
            agreement_at_fails_on_a_stale_version,
            agreement_at_fails_when_the_agreement_is_missing,
            agreement_at_applies_the_new_state,
            snapshot_reads_the_agreement,
            cart_lists_its_agreements,
            due_agreements_are_those_overdue_by_now,
            due_agreements_page_without_duplicates_or_gaps,
            due_agreements_page_on_while_the_sweep_ends_them,
            due_agreements_refuse_a_bad_cursor,
            an_ended_agreement_leaves_the_due_list,
            agreements_are_newest_first_and_limited,
            a_commit_without_a_delivery_records_none,
            a_future_pay_plan_round_trips_with_its_cart,
            concurrent_agreement_changes_apply_once,
        );
    };
    (@cases $make_store:expr; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::$case($make_store.await).await;
            }
        )+
    };
}
