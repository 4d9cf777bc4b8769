//! When a FuturePay payment is overdue.
//!
//! WorldPay's FAQ: if no payment callback has arrived one payment interval (or, for the
//! first payment, the start interval) plus four days after the last one, rounded down to
//! 00:00:00 GMT, the payment is overdue.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Duration, Month, OffsetDateTime, Time};

/// WorldPay's interval units, numbered as in the token's `intervalUnit`/`startDelayUnit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntervalUnit {
    Day,
    Week,
    Month,
    Year,
}

impl IntervalUnit {
    pub fn code(self) -> u8 {
        match self {
            IntervalUnit::Day => 1,
            IntervalUnit::Week => 2,
            IntervalUnit::Month => 3,
            IntervalUnit::Year => 4,
        }
    }

    /// The name stores keep it by, which [`IntervalUnit::parse`] reads back.
    pub fn name(self) -> &'static str {
        match self {
            IntervalUnit::Day => "day",
            IntervalUnit::Week => "week",
            IntervalUnit::Month => "month",
            IntervalUnit::Year => "year",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "day" => Some(IntervalUnit::Day),
            "week" => Some(IntervalUnit::Week),
            "month" => Some(IntervalUnit::Month),
            "year" => Some(IntervalUnit::Year),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("interval multiplier must be between 1 and {max}")]
pub struct IntervalError {
    max: u16,
}

/// `mult` × `unit`, e.g. every 2 weeks. Read back from storage through [`Interval::new`],
/// so a stored multiplier out of range is refused, never used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredInterval")]
pub struct Interval {
    unit: IntervalUnit,
    mult: u16,
}

/// An interval as serialised, before its checks.
#[derive(Deserialize)]
struct StoredInterval {
    unit: IntervalUnit,
    mult: u16,
}

impl TryFrom<StoredInterval> for Interval {
    type Error = IntervalError;

    fn try_from(stored: StoredInterval) -> Result<Self, IntervalError> {
        Self::new(stored.unit, stored.mult)
    }
}

impl Interval {
    const MAX_MULT: u16 = 999;

    pub fn new(unit: IntervalUnit, mult: u16) -> Result<Self, IntervalError> {
        if (1..=Self::MAX_MULT).contains(&mult) {
            Ok(Self { unit, mult })
        } else {
            Err(IntervalError {
                max: Self::MAX_MULT,
            })
        }
    }

    pub fn unit(self) -> IntervalUnit {
        self.unit
    }

    pub fn mult(self) -> u16 {
        self.mult
    }

    /// Whether this is at least two weeks, as adjustable amounts require.
    pub fn at_least_two_weeks(self) -> bool {
        match self.unit {
            IntervalUnit::Day => self.mult >= 14,
            IntervalUnit::Week => self.mult >= 2,
            IntervalUnit::Month | IntervalUnit::Year => true,
        }
    }

    /// `from` moved on by this interval. Months and years keep the day of the month where
    /// it exists and otherwise land on the month's last day (31 January + 1 month is
    /// 28 or 29 February).
    pub fn after(self, from: OffsetDateTime) -> OffsetDateTime {
        let mult = i64::from(self.mult);
        match self.unit {
            IntervalUnit::Day => from + Duration::days(mult),
            IntervalUnit::Week => from + Duration::weeks(mult),
            IntervalUnit::Month => from.replace_date(add_months(from.date(), mult)),
            IntervalUnit::Year => from.replace_date(add_months(from.date(), 12 * mult)),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} × {:?}", self.mult, self.unit)
    }
}

fn add_months(date: Date, months: i64) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// The grace WorldPay allows after a payment's due date before it counts as missed.
const GRACE: Duration = Duration::days(4);

/// The moment a payment expected `interval` after `last` becomes overdue.
pub fn overdue_at(last: OffsetDateTime, interval: Interval) -> OffsetDateTime {
    midnight(interval.after(last) + GRACE)
}

/// For a first payment on a fixed start date: that date plus the grace.
pub fn overdue_at_start(start: Date) -> OffsetDateTime {
    midnight(start.midnight().assume_utc() + GRACE)
}

fn midnight(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(time::UtcOffset::UTC)
        .replace_time(Time::MIDNIGHT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn every(mult: u16, unit: IntervalUnit) -> Interval {
        Interval::new(unit, mult).unwrap()
    }

    #[test]
    fn overdue_table() {
        use IntervalUnit::*;
        let cases = [
            // last payment, interval, overdue at
            (
                datetime!(2026-01-10 15:30 UTC),
                every(1, Day),
                datetime!(2026-01-15 00:00 UTC),
            ),
            (
                datetime!(2026-01-10 00:00 UTC),
                every(7, Day),
                datetime!(2026-01-21 00:00 UTC),
            ),
            (
                datetime!(2026-01-10 23:59:59 UTC),
                every(2, Week),
                datetime!(2026-01-28 00:00 UTC),
            ),
            (
                datetime!(2026-01-15 12:00 UTC),
                every(1, Month),
                datetime!(2026-02-19 00:00 UTC),
            ),
            (
                datetime!(2026-01-31 12:00 UTC),
                every(1, Month),
                datetime!(2026-03-04 00:00 UTC),
            ),
            (
                datetime!(2028-01-31 12:00 UTC),
                every(1, Month),
                datetime!(2028-03-04 00:00 UTC),
            ),
            (
                datetime!(2026-01-29 08:00 UTC),
                every(1, Month),
                datetime!(2026-03-04 00:00 UTC),
            ),
            (
                datetime!(2026-03-31 08:00 UTC),
                every(1, Month),
                datetime!(2026-05-04 00:00 UTC),
            ),
            (
                datetime!(2026-08-31 08:00 UTC),
                every(6, Month),
                datetime!(2027-03-04 00:00 UTC),
            ),
            (
                datetime!(2026-11-30 08:00 UTC),
                every(3, Month),
                datetime!(2027-03-04 00:00 UTC),
            ),
            (
                datetime!(2026-12-15 08:00 UTC),
                every(1, Month),
                datetime!(2027-01-19 00:00 UTC),
            ),
            (
                datetime!(2028-02-29 08:00 UTC),
                every(1, Year),
                datetime!(2029-03-04 00:00 UTC),
            ),
            (
                datetime!(2026-06-01 08:00 UTC),
                every(2, Year),
                datetime!(2028-06-05 00:00 UTC),
            ),
            (
                datetime!(2026-06-01 01:00 +02:00),
                every(1, Day),
                datetime!(2026-06-05 00:00 UTC),
            ),
        ];
        for (last, interval, expected) in cases {
            assert_eq!(overdue_at(last, interval), expected, "{last} + {interval}");
        }
    }

    #[test]
    fn month_ends_land_on_the_last_day_of_shorter_months() {
        let every_month = every(1, IntervalUnit::Month);
        let cases = [
            (
                datetime!(2026-01-31 10:00 UTC),
                datetime!(2026-02-28 10:00 UTC),
            ),
            // A leap year.
            (
                datetime!(2028-01-31 10:00 UTC),
                datetime!(2028-02-29 10:00 UTC),
            ),
            (
                datetime!(2026-01-30 10:00 UTC),
                datetime!(2026-02-28 10:00 UTC),
            ),
            // The day is kept where it exists.
            (
                datetime!(2026-04-30 10:00 UTC),
                datetime!(2026-05-30 10:00 UTC),
            ),
        ];
        for (last, expected) in cases {
            assert_eq!(every_month.after(last), expected, "{last}");
        }
    }

    #[test]
    fn units_are_stored_by_the_names_they_parse_from() {
        for unit in [
            IntervalUnit::Day,
            IntervalUnit::Week,
            IntervalUnit::Month,
            IntervalUnit::Year,
        ] {
            assert_eq!(IntervalUnit::parse(unit.name()), Some(unit));
        }
    }

    #[test]
    fn a_fixed_start_date_is_due_four_days_later() {
        assert_eq!(
            overdue_at_start(date!(2026 - 12 - 01)),
            datetime!(2026-12-05 00:00 UTC)
        );
        assert_eq!(
            overdue_at_start(date!(2028 - 02 - 27)),
            datetime!(2028-03-02 00:00 UTC),
            "through a leap day"
        );
    }

    #[test]
    fn a_start_delay_counts_from_the_agreement() {
        let created = datetime!(2026-01-31 18:00 UTC);
        assert_eq!(
            overdue_at(created, every(1, IntervalUnit::Month)),
            datetime!(2026-03-04 00:00 UTC)
        );
        assert_eq!(
            overdue_at(created, every(3, IntervalUnit::Day)),
            datetime!(2026-02-07 00:00 UTC)
        );
    }

    #[test]
    fn adjustable_amounts_need_two_weeks() {
        assert!(!every(13, IntervalUnit::Day).at_least_two_weeks());
        assert!(every(14, IntervalUnit::Day).at_least_two_weeks());
        assert!(!every(1, IntervalUnit::Week).at_least_two_weeks());
        assert!(every(1, IntervalUnit::Month).at_least_two_weeks());
        assert!(Interval::new(IntervalUnit::Day, 0).is_err());
    }

    #[test]
    fn a_stored_interval_is_checked_as_a_new_one() {
        let weekly = every(2, IntervalUnit::Week);
        let json = serde_json::to_string(&weekly).unwrap();
        assert_eq!(serde_json::from_str::<Interval>(&json).unwrap(), weekly);
        for mult in [0, 1000] {
            let stored = format!(r#"{{"unit":"week","mult":{mult}}}"#);
            assert!(
                serde_json::from_str::<Interval>(&stored).is_err(),
                "{stored}"
            );
        }
    }
}
