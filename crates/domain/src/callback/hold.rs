//! The merchant's rule for holding an authorised payment for review on its risk signals
//! (`SELECTPAY_HOLD_ON`).

use std::fmt;

use thiserror::Error;

use super::risk::{Authentication, AvsCheck, AvsResult, RiskSignals, WafMessage};

/// One condition that holds a payment, named as in `SELECTPAY_HOLD_ON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldRule {
    /// `cvv_not_matched`, `postcode_partial`, `country_not_checked`, …: one AVS digit with
    /// an outcome short of a match.
    Avs(AvsCheck, AvsResult),
    /// `waf_warning`, `waf_caution`.
    Waf(WafMessage),
    /// `authentication_not_completed`, `authentication_unavailable`,
    /// `authentication_not_enrolled`.
    Authentication(Authentication),
}

impl HoldRule {
    /// Every rule a merchant can name; a "matched" or "authenticated" rule would hold the
    /// good payments, so there is none.
    pub fn all() -> Vec<HoldRule> {
        let avs = AvsCheck::ALL.into_iter().flat_map(|check| {
            AvsResult::ALL
                .into_iter()
                .filter(|result| *result != AvsResult::Matched)
                .map(move |result| HoldRule::Avs(check, result))
        });
        let waf = [WafMessage::Warning, WafMessage::Caution].map(HoldRule::Waf);
        let authentication = Authentication::ALL
            .into_iter()
            .filter(|a| *a != Authentication::Authenticated)
            .map(HoldRule::Authentication);
        avs.chain(waf).chain(authentication).collect()
    }

    pub fn name(self) -> String {
        match self {
            HoldRule::Avs(check, result) => format!("{}_{}", check.as_str(), result.as_str()),
            HoldRule::Waf(message) => format!("waf_{}", message.as_str()),
            HoldRule::Authentication(result) => format!("authentication_{}", result.as_str()),
        }
    }

    pub fn matches(self, signals: &RiskSignals) -> bool {
        match self {
            HoldRule::Avs(check, result) => signals.avs.is_some_and(|a| a.result(check) == result),
            HoldRule::Waf(message) => signals.waf == Some(message),
            HoldRule::Authentication(result) => signals.authentication == Some(result),
        }
    }
}

impl fmt::Display for HoldRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HoldRulesError {
    #[error("unknown rule `{0}`; known rules: {known}", known = known_names())]
    UnknownRule(String),
}

fn known_names() -> String {
    let names: Vec<String> = HoldRule::all().into_iter().map(HoldRule::name).collect();
    names.join(", ")
}

/// The set of rules in force, in the order the merchant listed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRules(Vec<HoldRule>);

impl HoldRules {
    /// Holds what most often means a stolen card: a wrong security code, or WorldAlert's
    /// stronger warning.
    pub const DEFAULT: &'static str = "cvv_not_matched,waf_caution";
    /// The value that holds nothing (an empty list is refused by most environment parsers).
    pub const NONE: &'static str = "none";

    /// A comma-separated list of rule names; blanks around names and repeats are ignored.
    pub fn parse(value: &str) -> Result<Self, HoldRulesError> {
        if value.trim() == Self::NONE {
            return Ok(Self(Vec::new()));
        }
        let known = HoldRule::all();
        let mut rules: Vec<HoldRule> = Vec::new();
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let rule = known
                .iter()
                .copied()
                .find(|rule| rule.name() == name)
                .ok_or_else(|| HoldRulesError::UnknownRule(name.chars().take(40).collect()))?;
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        Ok(Self(rules))
    }

    pub fn default_rules() -> Self {
        Self::parse(Self::DEFAULT).expect("the default names known rules")
    }

    /// The rules these signals trip, in the merchant's order: empty means no hold, anything
    /// else is the reason to give the merchant.
    pub fn matches(&self, signals: &RiskSignals) -> Vec<HoldRule> {
        self.0
            .iter()
            .copied()
            .filter(|rule| rule.matches(signals))
            .collect()
    }

    pub fn rules(&self) -> &[HoldRule] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::risk::Avs;

    fn signals(avs: &str, waf: Option<WafMessage>) -> RiskSignals {
        RiskSignals {
            avs: Avs::parse(avs),
            waf,
            ..RiskSignals::default()
        }
    }

    #[test]
    fn the_default_holds_a_wrong_cvv_and_a_waf_caution() {
        let rules = HoldRules::default_rules();
        assert_eq!(
            rules.rules(),
            [
                HoldRule::Avs(AvsCheck::Cvv, AvsResult::NotMatched),
                HoldRule::Waf(WafMessage::Caution)
            ]
        );
        assert_eq!(
            rules.matches(&signals("4222", None)),
            [HoldRule::Avs(AvsCheck::Cvv, AvsResult::NotMatched)]
        );
        assert_eq!(
            rules.matches(&signals("2222", Some(WafMessage::Caution))),
            [HoldRule::Waf(WafMessage::Caution)]
        );
        assert!(
            rules
                .matches(&signals("2422", Some(WafMessage::Warning)))
                .is_empty()
        );
        assert!(rules.matches(&RiskSignals::default()).is_empty());
    }

    #[test]
    fn each_rule_matches_its_own_signal_only() {
        for rule in HoldRule::all() {
            let tripping = match rule {
                HoldRule::Avs(check, result) => {
                    let mut digits = *b"2222";
                    let digit = match result {
                        AvsResult::NotSupported => b'0',
                        AvsResult::NotChecked => b'1',
                        AvsResult::Matched => b'2',
                        AvsResult::NotMatched => b'4',
                        AvsResult::Partial => b'8',
                    };
                    digits[check as usize] = digit;
                    signals(std::str::from_utf8(&digits).unwrap(), None)
                }
                HoldRule::Waf(message) => signals("2222", Some(message)),
                HoldRule::Authentication(result) => RiskSignals {
                    authentication: Some(result),
                    ..RiskSignals::default()
                },
            };
            let only = HoldRules::parse(&rule.name()).unwrap();
            assert_eq!(only.matches(&tripping), [rule], "{rule}");
            let clean = RiskSignals {
                authentication: Some(Authentication::Authenticated),
                ..signals("2222", None)
            };
            assert!(only.matches(&clean).is_empty(), "{rule}");
        }
    }

    #[test]
    fn parses_the_issues_example_and_reports_matches_in_the_merchants_order() {
        let rules =
            HoldRules::parse(" waf_caution , cvv_not_matched,postcode_not_matched,").unwrap();
        let all_bad = signals("4422", Some(WafMessage::Caution));
        let names: Vec<String> = rules
            .matches(&all_bad)
            .into_iter()
            .map(HoldRule::name)
            .collect();
        assert_eq!(
            names,
            ["waf_caution", "cvv_not_matched", "postcode_not_matched"]
        );
    }

    #[test]
    fn a_bad_entry_is_named_in_the_error() {
        let error = HoldRules::parse("cvv_not_matched,cvv_mismatch").unwrap_err();
        assert_eq!(error, HoldRulesError::UnknownRule("cvv_mismatch".into()));
        let message = error.to_string();
        assert!(message.starts_with("unknown rule `cvv_mismatch`; known rules: "));
        assert!(message.contains("postcode_not_matched"), "{message}");
        assert!(
            HoldRules::parse("cvv_matched").is_err(),
            "holding good payments"
        );
    }

    #[test]
    fn none_and_empty_hold_nothing_and_repeats_collapse() {
        assert!(HoldRules::parse("none").unwrap().rules().is_empty());
        assert!(HoldRules::parse(" , ").unwrap().rules().is_empty());
        assert_eq!(
            HoldRules::parse("waf_caution,waf_caution")
                .unwrap()
                .rules()
                .len(),
            1
        );
    }

    #[test]
    fn rule_names_are_unique() {
        let mut names: Vec<String> = HoldRule::all().into_iter().map(HoldRule::name).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(count, 4 * 4 + 2 + 3);
    }
}
