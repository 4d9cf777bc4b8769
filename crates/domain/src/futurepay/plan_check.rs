//! Whether a later FuturePay payment is one the plan the shop sold allows.
//!
//! WorldPay's FAQ: "If transStatus is Y, you should check other variables in the callback to
//! verify that the FuturePay Agreement has not been altered for potentially fraudulent
//! purposes." The plan fields travel through the shopper's browser, so the agreement WorldPay
//! holds can differ from the one the shop sold; every payment is compared with the stored plan.
//! The installation is not checked here: `verify` refuses a foreign one before any decision.

use std::fmt;

use super::agreement::{Agreement, AgreementStatus};
use super::plan::{AmountOption, FuturePayPlan};
use super::sold::SoldPlan;
use crate::cart::ReviewReason;
use crate::ids::CartId;
use crate::money::{Currency, Money};
use crate::settings::{Mode, TestMode};

/// How the agreement stands, as far as taking a payment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Active or suspended for non-payment: a payment is expected. `first_scheduled` says
    /// no scheduled payment has been taken yet, so a plan's `initialAmount` applies.
    Open {
        first_scheduled: bool,
    },
    InReview,
    Ended,
}

impl Standing {
    pub fn of(agreement: &Agreement) -> Self {
        match agreement.status {
            AgreementStatus::Active | AgreementStatus::SuspendedOverdue => Standing::Open {
                first_scheduled: agreement.payments_made == 0,
            },
            AgreementStatus::InReview => Standing::InReview,
            AgreementStatus::Completed
            | AgreementStatus::CancelledByMerchant
            | AgreementStatus::CancelledByCustomer
            | AgreementStatus::CancelledForNonPayment => Standing::Ended,
        }
    }
}

/// What the shop sold and where the agreement stands.
#[derive(Debug, Clone, Copy)]
pub struct Agreed<'a> {
    /// `None` when the agreement's cart sold no plan.
    pub sold: Option<&'a SoldPlan>,
    pub cart_id: &'a CartId,
    pub standing: Standing,
    pub mode: Mode,
}

/// A payment as the callback reports it.
#[derive(Debug, Clone, Copy)]
pub struct Reported<'a> {
    /// `None` when `amount`/`currency` do not parse.
    pub amount: Option<Money>,
    /// The raw `currency` field, to tell a foreign currency from an unreadable amount.
    pub currency: Option<&'a str>,
    pub test_mode: TestMode,
    /// Optional on FuturePay callbacks: the agreement names its cart.
    pub cart_id: Option<&'a CartId>,
}

/// What the plan allows for this payment, to show beside the amount received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAmount {
    /// Option 0: exactly this.
    Exactly(Money),
    /// Option 1: normally this, but the merchant may adjust it, so it is not enforced.
    Normally(Money),
    /// A limited agreement: no single payment above its limit.
    UpTo(Money),
    /// Option 2: the merchant sets each payment.
    Any(Currency),
}

impl PlanAmount {
    fn of(sold: &SoldPlan, standing: Standing) -> Self {
        let first = matches!(
            standing,
            Standing::Open {
                first_scheduled: true
            }
        );
        match &sold.plan {
            FuturePayPlan::Limited { amount_limit, .. } => PlanAmount::UpTo(*amount_limit),
            FuturePayPlan::Regular {
                option,
                initial_amount,
                normal_amount,
                ..
            } => {
                let expected = initial_amount.filter(|_| first).or(*normal_amount);
                match (option, expected) {
                    (AmountOption::Fixed, Some(amount)) => PlanAmount::Exactly(amount),
                    (AmountOption::Adjustable, Some(amount)) => PlanAmount::Normally(amount),
                    _ => PlanAmount::Any(sold.currency),
                }
            }
        }
    }

    fn allows(self, paid: Money) -> bool {
        match self {
            PlanAmount::Exactly(amount) => paid == amount,
            PlanAmount::UpTo(limit) => paid.minor_units() <= limit.minor_units(),
            PlanAmount::Normally(_) | PlanAmount::Any(_) => true,
        }
    }
}

impl fmt::Display for PlanAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanAmount::Exactly(amount) => write!(f, "{amount}"),
            PlanAmount::Normally(amount) => write!(f, "{amount} (adjustable by the merchant)"),
            PlanAmount::UpTo(limit) => write!(f, "up to {limit}"),
            PlanAmount::Any(currency) => write!(f, "any amount in {currency}"),
        }
    }
}

/// The verdict on one payment, with what the plan allowed for it (if there is a plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanCheck {
    pub verdict: Result<(), ReviewReason>,
    pub plan_amount: Option<PlanAmount>,
}

/// Checks a later payment against the agreement: the mode first (a test payment is never
/// real money), then whether the agreement takes payments at all, then cart, plan, currency
/// and amount.
pub fn check_payment(agreed: &Agreed, reported: &Reported) -> PlanCheck {
    let plan_amount = agreed
        .sold
        .as_ref()
        .map(|sold| PlanAmount::of(sold, agreed.standing));
    let verdict = if !agreed.mode.accepts(reported.test_mode) {
        Err(ReviewReason::TestModeNotAllowed)
    } else if agreed.standing == Standing::Ended {
        Err(ReviewReason::AgreementEnded)
    } else if agreed.standing == Standing::InReview {
        Err(ReviewReason::AgreementInReview)
    } else if reported.cart_id.is_some_and(|id| id != agreed.cart_id) {
        Err(ReviewReason::CartMismatch)
    } else {
        match (&agreed.sold, plan_amount) {
            (Some(sold), Some(plan_amount)) => amount_verdict(sold, plan_amount, reported),
            _ => Err(ReviewReason::PlanMissing),
        }
    };
    PlanCheck {
        verdict,
        plan_amount,
    }
}

fn amount_verdict(
    sold: &SoldPlan,
    plan_amount: PlanAmount,
    reported: &Reported,
) -> Result<(), ReviewReason> {
    if reported.currency != Some(sold.currency.code()) {
        return Err(ReviewReason::CurrencyMismatch);
    }
    match reported.amount {
        Some(paid) if plan_amount.allows(paid) => Ok(()),
        Some(_) if matches!(plan_amount, PlanAmount::UpTo(_)) => Err(ReviewReason::AmountOverLimit),
        _ => Err(ReviewReason::AmountMismatch),
    }
}

#[cfg(test)]
mod tests;
