//! The purchase API's `futurePay` object: a recurring agreement for the token.

use serde_json::{Map, Value};
use time::Date;
use time::macros::format_description;

use selectpay_domain::futurepay::{
    AmountOption, End, FuturePayPlan, Interval, IntervalUnit, Start,
};
use selectpay_domain::money::{Currency, Money};

/// Parses and checks the `futurePay` object, reporting each bad field through `fail`.
pub fn parse_future_pay(
    mut object: Map<String, Value>,
    currency: Option<Currency>,
    today: Date,
    fail: &mut impl FnMut(&str, String),
) -> Option<FuturePayPlan> {
    let mut field = |name: &str| object.remove(name);
    let kind = field("type");
    let option = match field("option") {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|code| u8::try_from(code).ok())
            .and_then(AmountOption::from_code),
        None => Some(AmountOption::Fixed),
        Some(_) => None,
    };
    let option = option.or_else(|| {
        fail("futurePay.option", "must be 0, 1 or 2".into());
        None
    });
    let plan = match kind.as_ref().and_then(Value::as_str) {
        Some("regular") => {
            let start = match (field("startDate"), field("startDelay")) {
                (Some(date), None) => {
                    parse_date("futurePay.startDate", date, fail).map(Start::Date)
                }
                (None, Some(delay)) => {
                    parse_interval("futurePay.startDelay", delay, fail).map(Start::Delay)
                }
                _ => {
                    fail(
                        "futurePay.startDate",
                        "give either startDate or startDelay".into(),
                    );
                    None
                }
            };
            let interval = field("interval")
                .and_then(|value| parse_interval("futurePay.interval", value, fail));
            let payments = match field("noOfPayments") {
                None => Some(0),
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                Some(_) => None,
            }
            .or_else(|| {
                fail(
                    "futurePay.noOfPayments",
                    "must be a whole number (0 for unlimited)".into(),
                );
                None
            });
            let initial_amount = money("initialAmount", field("initialAmount"), currency, fail);
            let normal_amount = money("normalAmount", field("normalAmount"), currency, fail);
            Some(FuturePayPlan::Regular {
                option: option?,
                start: start?,
                interval,
                payments: payments?,
                initial_amount,
                normal_amount,
            })
        }
        Some("limited") => {
            let amount_limit = money("amountLimit", field("amountLimit"), currency, fail);
            if amount_limit.is_none() {
                fail("futurePay.amountLimit", "is required".into());
            }
            let end = match (field("endDate"), field("length")) {
                (Some(date), None) => parse_date("futurePay.endDate", date, fail).map(End::Date),
                (None, Some(length)) => {
                    parse_interval("futurePay.length", length, fail).map(End::Length)
                }
                _ => {
                    fail("futurePay.endDate", "give either endDate or length".into());
                    None
                }
            };
            let interval = field("interval")
                .and_then(|value| parse_interval("futurePay.interval", value, fail));
            Some(FuturePayPlan::Limited {
                option: option?,
                amount_limit: amount_limit?,
                end: end?,
                interval,
            })
        }
        _ => {
            fail(
                "futurePay.type",
                "must be \"regular\" or \"limited\"".into(),
            );
            None
        }
    };
    for unknown in object.keys() {
        fail(
            &format!("futurePay.{unknown}"),
            "is not a FuturePay field".into(),
        );
    }
    let plan = plan?;
    let broken = plan.check(today);
    for error in &broken {
        fail(error.field, error.reason.into());
    }
    broken.is_empty().then_some(plan)
}

/// An amount in the cart's currency; `None` (already reported) when it is wrong.
fn money(
    name: &str,
    value: Option<Value>,
    currency: Option<Currency>,
    fail: &mut impl FnMut(&str, String),
) -> Option<Money> {
    let key = format!("futurePay.{name}");
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => currency.and_then(|currency| {
            Money::parse(&text, currency)
                .map_err(|e| fail(&key, e.to_string()))
                .ok()
        }),
        Some(_) => {
            fail(&key, "must be a string such as \"9.99\"".into());
            None
        }
    }
}

fn parse_date(key: &str, value: Value, fail: &mut impl FnMut(&str, String)) -> Option<Date> {
    value
        .as_str()
        .and_then(|text| Date::parse(text, format_description!("[year]-[month]-[day]")).ok())
        .or_else(|| {
            fail(key, "must be a date such as \"2026-12-01\"".into());
            None
        })
}

fn parse_interval(
    key: &str,
    value: Value,
    fail: &mut impl FnMut(&str, String),
) -> Option<Interval> {
    let unit = value["unit"].as_str().and_then(IntervalUnit::parse);
    let mult = value["mult"].as_u64().and_then(|m| u16::try_from(m).ok());
    match (unit, mult) {
        (Some(unit), Some(mult)) => Interval::new(unit, mult)
            .map_err(|e| fail(key, e.to_string()))
            .ok(),
        _ => {
            fail(
                key,
                "must be {\"unit\": \"day\"|\"week\"|\"month\"|\"year\", \"mult\": n}".into(),
            );
            None
        }
    }
}
