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
mod tests {
    use super::*;
    use crate::futurepay::schedule::IntervalUnit;
    use crate::money::Currency;
    use time::macros::date;

    fn gbp(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("GBP").unwrap()).unwrap()
    }

    fn monthly() -> Interval {
        Interval::new(IntervalUnit::Month, 1).unwrap()
    }

    fn regular(
        option: AmountOption,
        normal: Option<Money>,
        interval: Option<Interval>,
    ) -> FuturePayPlan {
        FuturePayPlan::Regular {
            option,
            start: Start::Date(date!(2026 - 12 - 01)),
            interval,
            payments: 0,
            initial_amount: None,
            normal_amount: normal,
        }
    }

    const TODAY: Date = date!(2026 - 11 - 22);

    fn fields_in_error(plan: &FuturePayPlan, today: Date) -> Vec<&'static str> {
        plan.check(today).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_monthly_fixed_plan_is_valid_and_emits_worldpays_fields() {
        let plan = regular(AmountOption::Fixed, Some(gbp("9.99")), Some(monthly()));
        assert!(plan.check(TODAY).is_empty());
        assert_eq!(
            plan.token_fields(),
            [
                ("futurePayType", "regular".to_owned()),
                ("option", "0".to_owned()),
                ("startDate", "2026-12-01".to_owned()),
                ("noOfPayments", "0".to_owned()),
                ("intervalUnit", "3".to_owned()),
                ("intervalMult", "1".to_owned()),
                ("normalAmount", "9.99".to_owned()),
            ]
        );
    }

    #[test]
    fn the_start_date_must_be_after_today() {
        let plan = regular(AmountOption::Fixed, Some(gbp("9.99")), Some(monthly()));
        assert_eq!(
            fields_in_error(&plan, date!(2026 - 12 - 01)),
            ["futurePay.startDate"]
        );
        assert_eq!(
            fields_in_error(&plan, date!(2026 - 12 - 05)),
            ["futurePay.startDate"]
        );
    }

    #[test]
    fn normal_amount_is_required_for_options_0_and_1_and_forbidden_for_2() {
        for option in [AmountOption::Fixed, AmountOption::Adjustable] {
            let plan = regular(option, None, Some(monthly()));
            assert_eq!(fields_in_error(&plan, TODAY), ["futurePay.normalAmount"]);
        }
        let plan = regular(
            AmountOption::SetPerPayment,
            Some(gbp("1.00")),
            Some(monthly()),
        );
        assert_eq!(fields_in_error(&plan, TODAY), ["futurePay.normalAmount"]);
    }

    #[test]
    fn adjustable_options_need_an_interval_of_two_weeks() {
        let weekly = Interval::new(IntervalUnit::Week, 1).unwrap();
        let plan = regular(AmountOption::Adjustable, Some(gbp("1.00")), Some(weekly));
        assert_eq!(fields_in_error(&plan, TODAY), ["futurePay.interval"]);
        let plan = regular(AmountOption::SetPerPayment, None, Some(weekly));
        assert_eq!(fields_in_error(&plan, TODAY), ["futurePay.interval"]);
        let plan = regular(AmountOption::Fixed, Some(gbp("1.00")), Some(weekly));
        assert!(plan.check(TODAY).is_empty());
    }

    #[test]
    fn the_interval_is_required_unless_there_is_one_payment() {
        let plan = regular(AmountOption::Fixed, Some(gbp("1.00")), None);
        assert_eq!(fields_in_error(&plan, TODAY), ["futurePay.interval"]);
        let FuturePayPlan::Regular {
            option,
            start,
            normal_amount,
            ..
        } = plan
        else {
            unreachable!()
        };
        let single = FuturePayPlan::Regular {
            option,
            start,
            interval: None,
            payments: 1,
            initial_amount: None,
            normal_amount,
        };
        assert!(single.check(TODAY).is_empty());
    }

    #[test]
    fn limited_plans_emit_their_fields() {
        let plan = FuturePayPlan::Limited {
            option: AmountOption::Fixed,
            amount_limit: gbp("50.00"),
            end: End::Length(Interval::new(IntervalUnit::Year, 1).unwrap()),
            interval: None,
        };
        assert!(plan.check(TODAY).is_empty());
        assert_eq!(
            plan.token_fields()[0],
            ("futurePayType", "limited".to_owned())
        );
        assert!(
            plan.token_fields()
                .contains(&("lengthUnit", "4".to_owned()))
        );
        assert_eq!(plan.first_overdue(OffsetDateTime::UNIX_EPOCH), None);
    }

    #[test]
    fn a_start_delay_schedules_the_first_payment_from_creation() {
        let plan = FuturePayPlan::Regular {
            option: AmountOption::Fixed,
            start: Start::Delay(Interval::new(IntervalUnit::Week, 1).unwrap()),
            interval: Some(monthly()),
            payments: 12,
            initial_amount: None,
            normal_amount: Some(gbp("5.00")),
        };
        assert_eq!(
            plan.first_overdue(time::macros::datetime!(2026-11-22 15:00 UTC)),
            Some(time::macros::datetime!(2026-12-03 00:00 UTC))
        );
    }

    #[test]
    fn a_stored_plan_keeps_the_rules_that_do_not_depend_on_the_day() {
        let plan = regular(AmountOption::Fixed, Some(gbp("9.99")), Some(monthly()));
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<FuturePayPlan>(&json).unwrap(), plan);
        // Long past its start date, a stored plan still reads back.
        assert!(!plan.check(date!(2027 - 01 - 01)).is_empty());

        let broken = regular(AmountOption::Fixed, None, Some(monthly()));
        let json = serde_json::to_string(&broken).unwrap();
        let error = serde_json::from_str::<FuturePayPlan>(&json).unwrap_err();
        assert!(
            error.to_string().contains("futurePay.normalAmount"),
            "{error}"
        );

        let zero = json.replace(r#""mult":1"#, r#""mult":0"#);
        assert!(
            serde_json::from_str::<FuturePayPlan>(&zero).is_err(),
            "{zero}"
        );
    }
}
