//! The plan a shop sold, kept with the agreement it set up, so every later payment is
//! checked against what the shop sold, never against what a callback says.

use crate::money::Currency;

use super::plan::FuturePayPlan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldPlan {
    pub plan: FuturePayPlan,
    /// The cart's currency: the plan's amounts are in it, and option 2 plans have no amount.
    pub currency: Currency,
}

/// Stored as `{"plan": {...}, "currency": "GBP"}`, the plan in its own serde form and read
/// back through the same checks, the currency through [`Currency::parse`].
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredSoldPlan {
    plan: FuturePayPlan,
    currency: String,
}

impl serde::Serialize for SoldPlan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredSoldPlan {
            plan: self.plan.clone(),
            currency: self.currency.code().to_owned(),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for SoldPlan {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredSoldPlan::deserialize(deserializer)?;
        Ok(SoldPlan {
            plan: stored.plan,
            currency: Currency::parse(&stored.currency).map_err(serde::de::Error::custom)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::futurepay::plan::{AmountOption, Start};
    use crate::futurepay::schedule::{Interval, IntervalUnit};
    use crate::money::Money;

    #[test]
    fn round_trips_and_refuses_an_unknown_currency() {
        let gbp = Currency::parse("GBP").unwrap();
        let sold = SoldPlan {
            plan: FuturePayPlan::Regular {
                option: AmountOption::Fixed,
                start: Start::Delay(Interval::new(IntervalUnit::Month, 1).unwrap()),
                interval: Some(Interval::new(IntervalUnit::Month, 1).unwrap()),
                payments: 0,
                initial_amount: None,
                normal_amount: Some(Money::parse("9.99", gbp).unwrap()),
            },
            currency: gbp,
        };
        let json = serde_json::to_string(&sold).unwrap();
        assert_eq!(serde_json::from_str::<SoldPlan>(&json).unwrap(), sold);
        let foreign = json.replace("\"currency\":\"GBP\"}", "\"currency\":\"XXZ\"}");
        assert_ne!(foreign, json);
        assert!(serde_json::from_str::<SoldPlan>(&foreign).is_err());
    }
}
