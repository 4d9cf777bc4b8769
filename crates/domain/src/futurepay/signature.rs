//! Which token fields the MD5 signature covers when the token sells a FuturePay plan.
//!
//! WorldPay sets the agreement up from the plan fields the shopper's browser posts, so a plan
//! outside the signature is as editable as an unsigned amount. The configured fields come
//! first, as the merchant chose them; the plan's follow in the token's order.

use super::plan::FuturePayPlan;

/// The configured names, then each field `plan` puts in the token that they do not name.
pub fn signed_field_names(configured: &[String], plan: Option<&FuturePayPlan>) -> Vec<String> {
    let plan_names = plan
        .into_iter()
        .flat_map(FuturePayPlan::token_fields)
        .map(|(name, _)| name)
        .filter(|name| !configured.iter().any(|c| c == name))
        .map(str::to_owned);
    configured.iter().cloned().chain(plan_names).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::futurepay::plan::{AmountOption, End, Start};
    use crate::futurepay::schedule::{Interval, IntervalUnit};
    use crate::money::{Currency, Money};
    use time::macros::date;

    fn configured(names: &str) -> Vec<String> {
        names.split(':').map(str::to_owned).collect()
    }

    fn gbp(amount: &str) -> Money {
        Money::parse(amount, Currency::parse("GBP").unwrap()).unwrap()
    }

    fn every(unit: IntervalUnit, mult: u16) -> Interval {
        Interval::new(unit, mult).unwrap()
    }

    #[test]
    fn without_a_plan_the_configured_fields_are_signed_as_they_are() {
        assert_eq!(
            signed_field_names(&configured("instId:amount:currency:cartId"), None),
            configured("instId:amount:currency:cartId")
        );
    }

    #[test]
    fn each_kind_of_plan_appends_exactly_the_fields_it_uses() {
        let cases = [
            (
                FuturePayPlan::Regular {
                    option: AmountOption::Fixed,
                    start: Start::Date(date!(2026 - 12 - 01)),
                    interval: Some(every(IntervalUnit::Month, 1)),
                    payments: 12,
                    initial_amount: Some(gbp("1.00")),
                    normal_amount: Some(gbp("9.99")),
                },
                "futurePayType:option:startDate:noOfPayments:intervalUnit:intervalMult:\
                 initialAmount:normalAmount",
            ),
            (
                FuturePayPlan::Regular {
                    option: AmountOption::SetPerPayment,
                    start: Start::Delay(every(IntervalUnit::Week, 2)),
                    interval: Some(every(IntervalUnit::Month, 1)),
                    payments: 0,
                    initial_amount: None,
                    normal_amount: None,
                },
                "futurePayType:option:startDelayUnit:startDelayMult:noOfPayments:\
                 intervalUnit:intervalMult",
            ),
            (
                FuturePayPlan::Limited {
                    option: AmountOption::Fixed,
                    amount_limit: gbp("50.00"),
                    end: End::Date(date!(2027 - 12 - 01)),
                    interval: None,
                },
                "futurePayType:option:amountLimit:endDate",
            ),
            (
                FuturePayPlan::Limited {
                    option: AmountOption::Adjustable,
                    amount_limit: gbp("50.00"),
                    end: End::Length(every(IntervalUnit::Year, 1)),
                    interval: Some(every(IntervalUnit::Month, 1)),
                },
                "futurePayType:option:amountLimit:lengthUnit:lengthMult:intervalUnit:\
                 intervalMult",
            ),
        ];
        for (plan, plan_fields) in cases {
            assert_eq!(
                signed_field_names(&configured("instId:amount:currency:cartId"), Some(&plan)),
                configured(&format!("instId:amount:currency:cartId:{plan_fields}")),
                "{plan:?}"
            );
        }
    }

    #[test]
    fn a_plan_field_already_configured_keeps_its_place_and_is_not_repeated() {
        let plan = FuturePayPlan::Limited {
            option: AmountOption::Fixed,
            amount_limit: gbp("50.00"),
            end: End::Date(date!(2027 - 12 - 01)),
            interval: None,
        };
        assert_eq!(
            signed_field_names(&configured("amountLimit:amount:cartId"), Some(&plan)),
            configured("amountLimit:amount:cartId:futurePayType:option:endDate")
        );
    }
}
