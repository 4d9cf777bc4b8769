//! Opayo's `Amount` in a result: a decimal that may group thousands with commas (`1,234.56`).

use std::fmt;

use crate::money::{Currency, Money, MoneyError};

/// An amount whose digits are known good but whose currency comes from elsewhere: the result
/// does not carry one, so it is read against the cart's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpayoAmount {
    /// Without the separators, ready for [`Money::parse`].
    plain: String,
}

impl OpayoAmount {
    /// Commas must group the whole part in threes (`1,234,567.89`); anything else, such as
    /// `1,23.00` or a comma among the decimals, is not an amount Opayo writes.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or_default();
        let rest: Vec<&str> = groups.collect();
        let whole_ok = digits(first)
            && (rest.is_empty() || first.len() <= 3)
            && rest.iter().all(|group| group.len() == 3 && digits(group));
        if !whole_ok || !fraction.is_none_or(digits) {
            return Err(MoneyError::NotADecimal);
        }
        Ok(Self {
            plain: text.replace(',', ""),
        })
    }

    pub fn in_currency(&self, currency: Currency) -> Result<Money, MoneyError> {
        Money::parse(&self.plain, currency)
    }
}

impl From<Money> for OpayoAmount {
    fn from(money: Money) -> Self {
        Self {
            plain: money.decimal(),
        }
    }
}

/// Written the way Opayo writes it, separators included, so whatever plays Opayo (the
/// simulator, tests) sends what the parser must cope with.
impl fmt::Display for OpayoAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = match self.plain.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (self.plain.as_str(), None),
        };
        for (at, digit) in whole.chars().enumerate() {
            if at > 0 && (whole.len() - at) % 3 == 0 {
                f.write_str(",")?;
            }
            write!(f, "{digit}")?;
        }
        match fraction {
            Some(fraction) => write!(f, ".{fraction}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_pounds(text: &str) -> Result<u64, MoneyError> {
        let gbp = Currency::parse("GBP").unwrap();
        OpayoAmount::parse(text)?
            .in_currency(gbp)
            .map(|money| money.minor_units())
    }

    #[test]
    fn reads_amounts_with_and_without_thousands_separators() {
        assert_eq!(in_pounds("1,234.56"), Ok(123_456));
        assert_eq!(in_pounds("1234.56"), Ok(123_456));
        assert_eq!(in_pounds("1,234,567.89"), Ok(123_456_789));
        assert_eq!(in_pounds("999.00"), Ok(99_900));
        assert_eq!(in_pounds("12"), Ok(1_200));
        assert_eq!(in_pounds("0.01"), Ok(1));
    }

    #[test]
    fn the_currency_decides_the_decimals() {
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(
            OpayoAmount::parse("1,000")
                .unwrap()
                .in_currency(yen)
                .unwrap()
                .minor_units(),
            1000
        );
        assert!(matches!(
            in_pounds("1.234"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn refuses_misplaced_separators_and_non_decimals() {
        for bad in [
            "",
            ",",
            "1,23.00",
            "1,2345.00",
            "1234,567.00",
            ",123.00",
            "1,,234.00",
            "1,234,",
            "1.234,56",
            "1.2.3",
            ".5",
            "5.",
            "-1.00",
            "1 234.56",
            "1e3",
            "١٢٣",
        ] {
            assert!(OpayoAmount::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn writes_thousands_separators_like_opayo() {
        let gbp = Currency::parse("GBP").unwrap();
        let yen = Currency::parse("JPY").unwrap();
        for (minor_units, currency, written) in [
            (1, gbp, "0.01"),
            (99_999, gbp, "999.99"),
            (123_456, gbp, "1,234.56"),
            (123_456_789, gbp, "1,234,567.89"),
            (1_000, yen, "1,000"),
            (100, yen, "100"),
        ] {
            let amount = OpayoAmount::from(Money::from_minor_units(minor_units, currency));
            assert_eq!(amount.to_string(), written);
            assert_eq!(OpayoAmount::parse(written), Ok(amount));
        }
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert_eq!(
            in_pounds("99,999,999,999,999,999,999.00"),
            Err(MoneyError::TooLarge)
        );
    }
}
