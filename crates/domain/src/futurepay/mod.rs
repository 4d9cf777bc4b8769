//! WorldPay FuturePay: recurring agreements, their schedule and their state.

pub mod agreement;
pub mod plan;
pub mod plan_check;
pub mod schedule;
pub mod signature;
pub mod sold;

pub use agreement::{Agreement, AgreementStatus, CancelClaim};
pub use plan::{AmountOption, End, FuturePayPlan, PlanError, Start};
pub use schedule::{Interval, IntervalUnit, overdue_at, overdue_at_start};
pub use sold::SoldPlan;
