use super::*;
use crate::futurepay::plan::{End, Start};
use crate::futurepay::schedule::{Interval, IntervalUnit};
use time::macros::date;

fn gbp() -> Currency {
    Currency::parse("GBP").unwrap()
}

fn money(amount: &str, currency: &str) -> Money {
    Money::parse(amount, Currency::parse(currency).unwrap()).unwrap()
}

fn regular(option: AmountOption, initial: Option<&str>, normal: Option<&str>) -> FuturePayPlan {
    FuturePayPlan::Regular {
        option,
        start: Start::Date(date!(2026 - 12 - 01)),
        interval: Some(Interval::new(IntervalUnit::Month, 1).unwrap()),
        payments: 0,
        initial_amount: initial.map(|a| money(a, "GBP")),
        normal_amount: normal.map(|a| money(a, "GBP")),
    }
}

fn limited(limit: &str) -> FuturePayPlan {
    FuturePayPlan::Limited {
        option: AmountOption::Fixed,
        amount_limit: money(limit, "GBP"),
        end: End::Length(Interval::new(IntervalUnit::Year, 1).unwrap()),
        interval: None,
    }
}

const LATER: Standing = Standing::Open {
    first_scheduled: false,
};
const FIRST: Standing = Standing::Open {
    first_scheduled: true,
};

fn cart() -> CartId {
    CartId::parse("c1").unwrap()
}

/// `check_payment` of `reported` for the agreement of cart `c1`, which sold `plan` in GBP.
fn checked(plan: &FuturePayPlan, standing: Standing, mode: Mode, reported: &Reported) -> PlanCheck {
    let cart = cart();
    let sold = SoldPlan {
        plan: plan.clone(),
        currency: gbp(),
    };
    let agreed = Agreed {
        sold: Some(&sold),
        cart_id: &cart,
        standing,
        mode,
    };
    check_payment(&agreed, reported)
}

fn check(
    plan: &FuturePayPlan,
    standing: Standing,
    amount: &str,
    currency: &str,
) -> Result<(), ReviewReason> {
    let reported = Reported {
        amount: Currency::parse(currency)
            .and_then(|c| Money::parse(amount, c))
            .ok(),
        currency: Some(currency),
        test_mode: TestMode::Live,
        cart_id: None,
    };
    checked(plan, standing, Mode::Live, &reported).verdict
}

#[test]
fn amounts_against_each_kind_of_plan() {
    use AmountOption::*;
    use ReviewReason::*;
    let fixed = regular(Fixed, None, Some("9.99"));
    let with_initial = regular(Fixed, Some("1.00"), Some("9.99"));
    let adjustable = regular(Adjustable, None, Some("9.99"));
    let per_payment = regular(SetPerPayment, None, None);
    let capped = limited("50.00");
    let cases = [
        // plan, standing, amount, currency, verdict
        (&fixed, LATER, "9.99", "GBP", Ok(())),
        (&fixed, LATER, "9.990", "GBP", Ok(())),
        (&fixed, LATER, "5.00", "GBP", Err(AmountMismatch)),
        (&fixed, LATER, "19.99", "GBP", Err(AmountMismatch)),
        (&fixed, LATER, "9.99", "USD", Err(CurrencyMismatch)),
        (&fixed, LATER, "abc", "GBP", Err(AmountMismatch)),
        (&fixed, LATER, "9.99", "gbp", Err(CurrencyMismatch)),
        (&fixed, FIRST, "9.99", "GBP", Ok(())),
        (&with_initial, FIRST, "1.00", "GBP", Ok(())),
        (&with_initial, FIRST, "9.99", "GBP", Err(AmountMismatch)),
        (&with_initial, LATER, "9.99", "GBP", Ok(())),
        (&with_initial, LATER, "1.00", "GBP", Err(AmountMismatch)),
        (&adjustable, LATER, "12.50", "GBP", Ok(())),
        (&adjustable, LATER, "12.50", "EUR", Err(CurrencyMismatch)),
        (&per_payment, LATER, "0.01", "GBP", Ok(())),
        (&per_payment, LATER, "500.00", "GBP", Ok(())),
        (&per_payment, LATER, "5.00", "JPY", Err(CurrencyMismatch)),
        (&capped, LATER, "50.00", "GBP", Ok(())),
        (&capped, LATER, "50.01", "GBP", Err(AmountOverLimit)),
        (&capped, LATER, "10.00", "USD", Err(CurrencyMismatch)),
        (&fixed, Standing::Ended, "9.99", "GBP", Err(AgreementEnded)),
        (
            &fixed,
            Standing::InReview,
            "9.99",
            "GBP",
            Err(AgreementInReview),
        ),
    ];
    for (plan, standing, amount, currency, expected) in cases {
        assert_eq!(
            check(plan, standing, amount, currency),
            expected,
            "{amount} {currency} against {plan:?} while {standing:?}"
        );
    }
}

#[test]
fn the_mode_is_checked_before_anything_else() {
    let plan = regular(AmountOption::Fixed, None, Some("9.99"));
    let cart = cart();
    let other = CartId::parse("c2").unwrap();
    for (mode, test_mode, cart_id, standing, expected) in [
        (
            Mode::Live,
            TestMode::Test,
            None,
            LATER,
            Err(ReviewReason::TestModeNotAllowed),
        ),
        (
            Mode::Test,
            TestMode::Live,
            None,
            LATER,
            Err(ReviewReason::TestModeNotAllowed),
        ),
        (
            Mode::Live,
            TestMode::Test,
            None,
            Standing::Ended,
            Err(ReviewReason::TestModeNotAllowed),
        ),
        (Mode::Test, TestMode::Test, None, LATER, Ok(())),
        (Mode::Live, TestMode::Live, Some(&cart), LATER, Ok(())),
        (
            Mode::Live,
            TestMode::Live,
            Some(&other),
            LATER,
            Err(ReviewReason::CartMismatch),
        ),
    ] {
        let reported = Reported {
            amount: Some(money("9.99", "GBP")),
            currency: Some("GBP"),
            test_mode,
            cart_id,
        };
        assert_eq!(
            checked(&plan, standing, mode, &reported).verdict,
            expected,
            "{mode} installation, {test_mode:?} payment, cart {cart_id:?}"
        );
    }
}

#[test]
fn the_plan_amount_is_reported_for_the_merchant() {
    let shown = |plan: &FuturePayPlan, standing| {
        let reported = Reported {
            amount: None,
            currency: None,
            test_mode: TestMode::Live,
            cart_id: None,
        };
        checked(plan, standing, Mode::Live, &reported)
            .plan_amount
            .map(|amount| amount.to_string())
            .unwrap()
    };
    let with_initial = regular(AmountOption::Fixed, Some("1.00"), Some("9.99"));
    assert_eq!(shown(&with_initial, FIRST), "1.00 GBP");
    assert_eq!(shown(&with_initial, LATER), "9.99 GBP");
    assert_eq!(
        shown(
            &regular(AmountOption::Adjustable, None, Some("9.99")),
            LATER
        ),
        "9.99 GBP (adjustable by the merchant)"
    );
    assert_eq!(
        shown(&regular(AmountOption::SetPerPayment, None, None), LATER),
        "any amount in GBP"
    );
    assert_eq!(shown(&limited("50.00"), LATER), "up to 50.00 GBP");
}

#[test]
fn an_agreement_whose_cart_sold_no_plan_takes_no_payment() {
    let cart = cart();
    let agreed = Agreed {
        sold: None,
        cart_id: &cart,
        standing: LATER,
        mode: Mode::Live,
    };
    let reported = Reported {
        amount: Some(money("9.99", "GBP")),
        currency: Some("GBP"),
        test_mode: TestMode::Live,
        cart_id: Some(&cart),
    };
    let check = check_payment(&agreed, &reported);
    assert_eq!(check.verdict, Err(ReviewReason::PlanMissing));
    assert_eq!(check.plan_amount, None);
}

#[test]
fn standing_follows_the_agreement_status() {
    use crate::futurepay::agreement::Agreement;
    use crate::ids::FuturePayId;
    let plan = regular(AmountOption::Fixed, None, Some("9.99"));
    let new = Agreement::new(
        FuturePayId::parse("1").unwrap(),
        cart(),
        Some(SoldPlan {
            plan,
            currency: gbp(),
        }),
        None,
        time::macros::datetime!(2026-11-22 10:00 UTC),
    );
    assert_eq!(Standing::of(&new), FIRST);
    let paid = new.paid(time::macros::datetime!(2026-12-01 10:00 UTC));
    assert_eq!(Standing::of(&paid), LATER);
    assert_eq!(Standing::of(&paid.suspended()), LATER);
    assert_eq!(
        Standing::of(&new.clone().held_for_review()),
        Standing::InReview
    );
    assert_eq!(
        Standing::of(&paid.ended(AgreementStatus::CancelledByCustomer)),
        Standing::Ended
    );
}
