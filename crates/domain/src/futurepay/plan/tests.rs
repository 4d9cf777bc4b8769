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
