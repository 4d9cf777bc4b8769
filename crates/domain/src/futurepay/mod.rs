//! WorldPay FuturePay: recurring agreements, their schedule and their state.

pub mod agreement;
pub mod plan;
pub mod schedule;

pub use agreement::{Agreement, AgreementStatus, CancelClaim};
pub use plan::{AmountOption, End, FuturePayPlan, PlanError, Start};
pub use schedule::{Interval, IntervalUnit, overdue_at, overdue_at_start};
