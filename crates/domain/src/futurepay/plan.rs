//! The FuturePay part of a purchase token: a recurring agreement the shopper sets up.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::schedule::{Interval, overdue_at, overdue_at_start};
use crate::money::Money;

/// Who decides each payment's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountOption {
    /// Option 0: the same amount every time.
    Fixed,
    /// Option 1: a normal amount the merchant may adjust.
    Adjustable,
    /// Option 2: the merchant sets each payment.
    SetPerPayment,
}

impl AmountOption {
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(AmountOption::Fixed),
            1 => Some(AmountOption::Adjustable),
            2 => Some(AmountOption::SetPerPayment),
            _ => None,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            AmountOption::Fixed => 0,
            AmountOption::Adjustable => 1,
            AmountOption::SetPerPayment => 2,
        }
    }
}

/// When the first payment falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    Date(Date),
    Delay(Interval),
}

/// When a limited agreement ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    Date(Date),
    Length(Interval),
}

/// Serialised as derived, but read back only if it keeps WorldPay's rules that do not depend
/// on the day ([`FuturePayPlan::shape_errors`]): serde's `remote = "Self"` derives the
/// plain (de)serialisers as inherent functions, which the trait impls below wrap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self", rename_all = "snake_case", tag = "type")]
pub enum FuturePayPlan {
    Regular {
        option: AmountOption,
        start: Start,
        interval: Option<Interval>,
        /// 0 means unlimited.
        payments: u32,
        initial_amount: Option<Money>,
        normal_amount: Option<Money>,
    },
    Limited {
        option: AmountOption,
        amount_limit: Money,
        end: End,
        interval: Option<Interval>,
    },
}

impl Serialize for FuturePayPlan {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FuturePayPlan::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for FuturePayPlan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let plan = FuturePayPlan::deserialize(deserializer)?;
        match plan.shape_errors().first() {
            None => Ok(plan),
            Some(error) => Err(D::Error::custom(format_args!(
                "{} {}",
                error.field, error.reason
            ))),
        }
    }
}

/// A rule of WorldPay's the plan breaks, by the purchase API's field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub field: &'static str,
    pub reason: &'static str,
}

fn error(field: &'static str, reason: &'static str) -> PlanError {
    PlanError { field, reason }
}

impl FuturePayPlan {
    /// WorldPay's rules for agreements, checked before the shopper gets to the payment page.
    pub fn check(&self, today: Date) -> Vec<PlanError> {
        let mut errors = Vec::new();
        match self {
            FuturePayPlan::Regular {
                start: Start::Date(date),
                ..
            } if *date <= today => errors.push(error("futurePay.startDate", "must be after today")),
            FuturePayPlan::Limited {
                end: End::Date(date),
                ..
            } if *date <= today => errors.push(error("futurePay.endDate", "must be after today")),
            _ => {}
        }
        errors.extend(self.shape_errors());
        errors
    }

    /// The rules that hold whatever the day: a plan read back from storage must keep them.
    pub fn shape_errors(&self) -> Vec<PlanError> {
        let mut errors = Vec::new();
        let too_short = |option: &AmountOption, interval: &Interval| {
            *option != AmountOption::Fixed && !interval.at_least_two_weeks()
        };
        let too_short_error = || {
            error(
                "futurePay.interval",
                "must be at least two weeks with options 1 and 2",
            )
        };
        match self {
            FuturePayPlan::Regular {
                option,
                interval,
                payments,
                normal_amount,
                ..
            } => {
                match (option, normal_amount) {
                    (AmountOption::SetPerPayment, Some(_)) => errors.push(error(
                        "futurePay.normalAmount",
                        "is not allowed with option 2",
                    )),
                    (AmountOption::Fixed | AmountOption::Adjustable, None) => errors.push(error(
                        "futurePay.normalAmount",
                        "is required with options 0 and 1",
                    )),
                    _ => {}
                }
                match interval {
                    None if *payments != 1 => errors.push(error(
                        "futurePay.interval",
                        "is required unless there is exactly one payment",
                    )),
                    Some(interval) if too_short(option, interval) => errors.push(too_short_error()),
                    _ => {}
                }
            }
            FuturePayPlan::Limited {
                option,
                amount_limit,
                interval,
                ..
            } => {
                if amount_limit.minor_units() == 0 {
                    errors.push(error("futurePay.amountLimit", "must be more than zero"));
                }
                if let Some(interval) = interval
                    && too_short(option, interval)
                {
                    errors.push(too_short_error());
                }
            }
        }
        errors
    }

    /// The token fields WorldPay reads the agreement from.
    pub fn token_fields(&self) -> Vec<(&'static str, String)> {
        let date = |d: &Date| {
            d.format(format_description!("[year]-[month]-[day]"))
                .unwrap_or_default()
        };
        let interval_fields = |unit: &'static str, mult: &'static str, i: &Interval| {
            [
                (unit, i.unit().code().to_string()),
                (mult, i.mult().to_string()),
            ]
        };
        let mut fields = Vec::new();
        match self {
            FuturePayPlan::Regular {
                option,
                start,
                interval,
                payments,
                initial_amount,
                normal_amount,
            } => {
                fields.push(("futurePayType", "regular".to_owned()));
                fields.push(("option", option.code().to_string()));
                match start {
                    Start::Date(d) => fields.push(("startDate", date(d))),
                    Start::Delay(i) => {
                        fields.extend(interval_fields("startDelayUnit", "startDelayMult", i))
                    }
                }
                fields.push(("noOfPayments", payments.to_string()));
                if let Some(i) = interval {
                    fields.extend(interval_fields("intervalUnit", "intervalMult", i));
                }
                if let Some(amount) = initial_amount {
                    fields.push(("initialAmount", amount.decimal()));
                }
                if let Some(amount) = normal_amount {
                    fields.push(("normalAmount", amount.decimal()));
                }
            }
            FuturePayPlan::Limited {
                option,
                amount_limit,
                end,
                interval,
            } => {
                fields.push(("futurePayType", "limited".to_owned()));
                fields.push(("option", option.code().to_string()));
                fields.push(("amountLimit", amount_limit.decimal()));
                match end {
                    End::Date(d) => fields.push(("endDate", date(d))),
                    End::Length(i) => fields.extend(interval_fields("lengthUnit", "lengthMult", i)),
                }
                if let Some(i) = interval {
                    fields.extend(interval_fields("intervalUnit", "intervalMult", i));
                }
            }
        }
        fields
    }

    /// Regular agreements are paid on a schedule; limited ones whenever the merchant debits.
    pub fn interval(&self) -> Option<Interval> {
        match self {
            FuturePayPlan::Regular { interval, .. } => *interval,
            FuturePayPlan::Limited { .. } => None,
        }
    }

    /// How many payments the agreement has; 0 for unlimited or unscheduled.
    pub fn payments(&self) -> u32 {
        match self {
            FuturePayPlan::Regular { payments, .. } => *payments,
            FuturePayPlan::Limited { .. } => 0,
        }
    }

    /// When the first scheduled payment is overdue, for an agreement created at `created`.
    pub fn first_overdue(&self, created: OffsetDateTime) -> Option<OffsetDateTime> {
        match self {
            FuturePayPlan::Regular {
                start: Start::Date(date),
                ..
            } => Some(overdue_at_start(*date)),
            FuturePayPlan::Regular {
                start: Start::Delay(delay),
                ..
            } => Some(overdue_at(created, *delay)),
            FuturePayPlan::Limited { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests;
