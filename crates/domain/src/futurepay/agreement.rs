//! A FuturePay agreement as we track it: what WorldPay reported, and when the next payment
//! is overdue.

use time::{Duration, OffsetDateTime};

use super::schedule::{Interval, overdue_at};
use super::sold::SoldPlan;
use crate::ids::{CartId, FuturePayId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementStatus {
    Active,
    /// Its first payment was held for review: neither active nor ever due. The merchant
    /// resolves it in WorldPay's admin (cancelling there ends it here too).
    InReview,
    /// A payment is overdue: the service is suspended here, whatever the gateway answers,
    /// until a payment reactivates it or the gateway confirms the cancellation.
    SuspendedOverdue,
    /// Every scheduled payment was made.
    Completed,
    CancelledByMerchant,
    CancelledByCustomer,
    /// Cancelled by the sweep because a payment was overdue: the service is suspended.
    CancelledForNonPayment,
}

impl AgreementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Active => "active",
            AgreementStatus::InReview => "review",
            AgreementStatus::SuspendedOverdue => "suspended_overdue",
            AgreementStatus::Completed => "completed",
            AgreementStatus::CancelledByMerchant => "cancelled_by_merchant",
            AgreementStatus::CancelledByCustomer => "cancelled_by_customer",
            AgreementStatus::CancelledForNonPayment => "cancelled_for_non_payment",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            AgreementStatus::Active,
            AgreementStatus::InReview,
            AgreementStatus::SuspendedOverdue,
            AgreementStatus::Completed,
            AgreementStatus::CancelledByMerchant,
            AgreementStatus::CancelledByCustomer,
            AgreementStatus::CancelledForNonPayment,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// Whether the agreement is over: a payment on it is money to refund.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            AgreementStatus::Completed
                | AgreementStatus::CancelledByMerchant
                | AgreementStatus::CancelledByCustomer
                | AgreementStatus::CancelledForNonPayment
        )
    }
}

/// A sweep's claim on cancelling an agreement, so that overlapping sweeps cancel it at the
/// gateway once. It lapses, so a sweep that died does not block the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelClaim {
    pub by: String,
    pub until: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: FuturePayId,
    pub cart_id: CartId,
    pub status: AgreementStatus,
    /// The plan its cart sold, kept from its creation: later payments are checked against
    /// it. `None` when the cart sold none (and for agreements recorded before plans were
    /// kept here: their cart's plan is used).
    pub plan: Option<SoldPlan>,
    /// `None` for agreements without a schedule (limited ones): they are never overdue.
    pub interval: Option<Interval>,
    /// 0 for unlimited.
    pub payments_expected: u32,
    pub payments_made: u32,
    pub payments_declined: u32,
    pub last_payment_at: Option<OffsetDateTime>,
    /// Set only while the agreement is active and scheduled: stores index agreements by it
    /// (sparsely), so the sweep reads only those that can be due.
    pub overdue_at: Option<OffsetDateTime>,
    pub shopper_email: Option<String>,
    pub cancel_claim: Option<CancelClaim>,
    pub cancel_failures: u32,
    /// Bumped by every change; conditions compare it, so concurrent changes cannot be lost.
    pub version: u64,
    pub created_at: OffsetDateTime,
}

impl Agreement {
    /// A new agreement reported by the gateway for a cart that sold `plan` (if it did).
    pub fn new(
        id: FuturePayId,
        cart_id: CartId,
        plan: Option<SoldPlan>,
        shopper_email: Option<String>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            cart_id,
            status: AgreementStatus::Active,
            interval: plan.as_ref().and_then(|sold| sold.plan.interval()),
            payments_expected: plan.as_ref().map_or(0, |sold| sold.plan.payments()),
            payments_made: 0,
            payments_declined: 0,
            last_payment_at: None,
            overdue_at: plan.as_ref().and_then(|sold| sold.plan.first_overdue(now)),
            plan,
            shopper_email,
            cancel_claim: None,
            cancel_failures: 0,
            version: 1,
            created_at: now,
        }
    }

    /// A new agreement whose first payment was held: it is never due, so the sweep leaves
    /// it alone, and its payments are held too until the merchant has looked.
    pub fn held_for_review(self) -> Self {
        Self {
            status: AgreementStatus::InReview,
            overdue_at: None,
            ..self
        }
    }

    /// The next version, for a change.
    fn changed(&self) -> Self {
        Self {
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// A scheduled payment made at `at` (the gateway's time) was accepted: the next one is
    /// due an interval later, unless this was the last. Only a payment that moves the due
    /// time on counts for the period now due: it makes a suspended agreement active again
    /// and clears the failures to cancel it. A payment older than that (a late or replayed
    /// callback) never moves the due time back.
    pub fn paid(&self, at: OffsetDateTime) -> Self {
        let mut next = self.changed();
        next.payments_made += 1;
        next.last_payment_at = self.last_payment_at.max(Some(at));
        let complete = next.payments_expected > 0 && next.payments_made >= next.payments_expected;
        if matches!(
            next.status,
            AgreementStatus::Active | AgreementStatus::SuspendedOverdue
        ) {
            if complete {
                next.status = AgreementStatus::Completed;
                next.overdue_at = None;
            } else {
                let due = next.interval.map(|interval| overdue_at(at, interval));
                let later = self.overdue_at.max(due);
                if later != self.overdue_at {
                    next.overdue_at = later;
                    next.status = AgreementStatus::Active;
                    next.cancel_failures = 0;
                }
            }
        }
        next
    }

    /// Whether `next` (this agreement after a payment) is active again after a suspension.
    pub fn reactivated_by(&self, next: &Agreement) -> bool {
        self.status == AgreementStatus::SuspendedOverdue && next.status == AgreementStatus::Active
    }

    /// The sweep found the payment overdue: the service stops here at once. The due time
    /// stays, so the sweep still finds it to cancel at the gateway.
    pub fn suspended(&self) -> Self {
        let mut next = self.changed();
        next.status = AgreementStatus::SuspendedOverdue;
        next
    }

    pub fn declined(&self) -> Self {
        let mut next = self.changed();
        next.payments_declined += 1;
        next
    }

    pub fn ended(&self, status: AgreementStatus) -> Self {
        let mut next = self.changed();
        next.status = status;
        next.overdue_at = None;
        next.cancel_claim = None;
        next
    }

    /// Whether the sweep should suspend it: active, and its payment overdue.
    pub fn is_overdue(&self, now: OffsetDateTime) -> bool {
        self.status == AgreementStatus::Active && self.overdue_at.is_some_and(|due| due <= now)
    }

    /// Whether another sweep holds a live claim.
    pub fn claimed_by_other(&self, sweep: &str, now: OffsetDateTime) -> bool {
        self.cancel_claim
            .as_ref()
            .is_some_and(|claim| claim.by != sweep && claim.until > now)
    }

    pub fn claimed(&self, sweep: &str, now: OffsetDateTime, lease: Duration) -> Self {
        let mut next = self.changed();
        next.cancel_claim = Some(CancelClaim {
            by: sweep.to_owned(),
            until: now + lease,
        });
        next
    }

    /// The gateway could not be asked, or said no: try again next run.
    pub fn cancel_failed(&self) -> Self {
        let mut next = self.changed();
        next.cancel_claim = None;
        next.cancel_failures += 1;
        next
    }

    pub fn released(&self) -> Self {
        let mut next = self.changed();
        next.cancel_claim = None;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::futurepay::plan::{AmountOption, FuturePayPlan, Start};
    use crate::futurepay::schedule::IntervalUnit;
    use crate::money::{Currency, Money};
    use time::macros::{date, datetime};

    fn monthly_plan(payments: u32) -> FuturePayPlan {
        FuturePayPlan::Regular {
            option: AmountOption::Fixed,
            start: Start::Date(date!(2026 - 12 - 01)),
            interval: Some(Interval::new(IntervalUnit::Month, 1).unwrap()),
            payments,
            initial_amount: None,
            normal_amount: Some(Money::parse("5.00", Currency::parse("GBP").unwrap()).unwrap()),
        }
    }

    fn agreement(payments: u32) -> Agreement {
        Agreement::new(
            FuturePayId::parse("193743").unwrap(),
            CartId::parse("c1").unwrap(),
            Some(SoldPlan {
                plan: monthly_plan(payments),
                currency: Currency::parse("GBP").unwrap(),
            }),
            None,
            datetime!(2026-11-22 10:00 UTC),
        )
    }

    #[test]
    fn a_new_agreement_is_due_after_its_start() {
        let a = agreement(0);
        assert_eq!(a.overdue_at, Some(datetime!(2026-12-05 00:00 UTC)));
        assert!(!a.is_overdue(datetime!(2026-12-04 23:59 UTC)));
        assert!(a.is_overdue(datetime!(2026-12-05 00:00 UTC)));
    }

    #[test]
    fn each_payment_moves_the_due_time_and_the_last_completes() {
        let paid = agreement(2).paid(datetime!(2026-12-01 09:00 UTC));
        assert_eq!(paid.overdue_at, Some(datetime!(2027-01-05 00:00 UTC)));
        assert_eq!(paid.version, 2);
        let done = paid.paid(datetime!(2027-01-01 09:00 UTC));
        assert_eq!(done.status, AgreementStatus::Completed);
        assert_eq!(done.overdue_at, None);
    }

    #[test]
    fn claims_lapse_and_ending_clears_them() {
        let now = datetime!(2026-12-06 00:00 UTC);
        let claimed = agreement(0).claimed("sweep-a", now, Duration::minutes(5));
        assert!(claimed.claimed_by_other("sweep-b", now));
        assert!(!claimed.claimed_by_other("sweep-a", now));
        assert!(!claimed.claimed_by_other("sweep-b", now + Duration::minutes(6)));
        let ended = claimed.ended(AgreementStatus::CancelledForNonPayment);
        assert_eq!(ended.cancel_claim, None);
        assert_eq!(ended.overdue_at, None);
    }

    #[test]
    fn a_late_or_replayed_old_payment_never_moves_the_due_time_back() {
        let current = agreement(0).paid(datetime!(2026-12-01 09:00 UTC));
        let replayed = current.paid(datetime!(2026-11-01 09:00 UTC));
        assert_eq!(replayed.overdue_at, current.overdue_at);
        assert_eq!(replayed.last_payment_at, current.last_payment_at);
        assert_eq!(replayed.payments_made, 2, "it is still a payment");
    }

    #[test]
    fn a_suspended_agreement_is_reactivated_by_a_payment() {
        let overdue = datetime!(2026-12-05 00:00 UTC);
        let suspended = agreement(0).suspended();
        assert_eq!(suspended.status, AgreementStatus::SuspendedOverdue);
        assert_eq!(
            suspended.overdue_at,
            Some(overdue),
            "still found by the sweep"
        );
        assert!(!suspended.is_overdue(overdue), "suspended once, not again");
        let paid = suspended.paid(datetime!(2026-12-06 12:00 UTC));
        assert_eq!(paid.status, AgreementStatus::Active);
        assert_eq!(paid.overdue_at, Some(datetime!(2027-01-10 00:00 UTC)));
    }

    #[test]
    fn an_old_payment_does_not_reactivate_a_suspended_agreement() {
        let current = agreement(0).paid(datetime!(2026-12-01 09:00 UTC));
        let suspended = current.suspended();
        let replayed = suspended.paid(datetime!(2026-11-01 09:00 UTC));
        assert_eq!(replayed.status, AgreementStatus::SuspendedOverdue);
        assert!(!suspended.reactivated_by(&replayed));
        let paid = suspended.paid(datetime!(2027-01-06 09:00 UTC));
        assert!(suspended.reactivated_by(&paid));
    }

    #[test]
    fn an_agreement_held_for_review_is_never_due_and_stays_held() {
        let held = agreement(0).held_for_review();
        assert_eq!(held.status, AgreementStatus::InReview);
        assert_eq!(held.overdue_at, None);
        assert_eq!(held.version, 1, "created so, not changed");
        assert!(!held.is_overdue(datetime!(2030-01-01 00:00 UTC)));
        assert_eq!(
            AgreementStatus::parse(held.status.as_str()),
            Some(AgreementStatus::InReview)
        );
        assert!(!held.status.has_ended());
        assert!(AgreementStatus::CancelledForNonPayment.has_ended());
    }
}
