//! Money as integer minor units: never a float, so `14.99` is exactly 1499 pence.

use std::fmt;

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must be digits with an optional decimal point, e.g. 14.99")]
    NotADecimal,
    #[error("amount has more decimals than {currency} allows ({exponent})")]
    TooManyDecimals {
        currency: &'static str,
        exponent: u8,
    },
    #[error("amount is too large")]
    TooLarge,
    #[error("unknown ISO 4217 currency code")]
    UnknownCurrency,
}

/// An ISO 4217 currency with the number of decimals its minor unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// Active ISO 4217 codes whose minor unit is not hundredths.
const EXPONENT_EXCEPTIONS: &[(&str, u8)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active ISO 4217 codes with two decimals.
const TWO_DECIMAL_CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWG",
];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        if let Some(&(code, exponent)) = EXPONENT_EXCEPTIONS.iter().find(|(c, _)| *c == code) {
            return Ok(Self { code, exponent });
        }
        TWO_DECIMAL_CODES
            .iter()
            .find(|c| **c == code)
            .map(|code| Self { code, exponent: 2 })
            .ok_or(MoneyError::UnknownCurrency)
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount in a currency, held as a count of minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor_units: u64,
    currency: Currency,
}

impl Money {
    pub fn from_minor_units(minor_units: u64, currency: Currency) -> Self {
        Self {
            minor_units,
            currency,
        }
    }

    /// Parses a plain decimal string such as `14.99`. Signs, exponents, thousands separators
    /// and surrounding spaces are rejected; trailing zeros beyond the currency's decimals are
    /// accepted because they do not change the value (`14.990` is `14.99`).
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, fraction) = match amount.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (amount, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(MoneyError::NotADecimal);
        }
        let exponent = usize::from(currency.exponent);
        let fraction = fraction.unwrap_or("");
        let (significant, excess) = fraction.split_at(fraction.len().min(exponent));
        if excess.bytes().any(|b| b != b'0') {
            return Err(MoneyError::TooManyDecimals {
                currency: currency.code,
                exponent: currency.exponent,
            });
        }
        let digits = format!("{whole}{significant:0<exponent$}");
        let minor_units = digits.parse().map_err(|_| MoneyError::TooLarge)?;
        Ok(Self {
            minor_units,
            currency,
        })
    }

    pub fn minor_units(&self) -> u64 {
        self.minor_units
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as WorldPay expects it in a purchase token: `14.99`, `1000` for yen.
    pub fn decimal(&self) -> String {
        let exponent = u32::from(self.currency.exponent);
        if exponent == 0 {
            return self.minor_units.to_string();
        }
        let scale = 10u64.pow(exponent);
        format!(
            "{}.{:0width$}",
            self.minor_units / scale,
            self.minor_units % scale,
            width = exponent as usize
        )
    }
}

/// Stored as `{"amount": "14.99", "currency": "GBP"}` and parsed back through
/// [`Money::parse`], so stored money is checked like any other input.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredMoney {
    amount: String,
    currency: String,
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredMoney {
            amount: self.decimal(),
            currency: self.currency.code.to_owned(),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = StoredMoney::deserialize(deserializer)?;
        Currency::parse(&stored.currency)
            .and_then(|currency| Money::parse(&stored.amount, currency))
            .map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbp() -> Currency {
        Currency::parse("GBP").unwrap()
    }

    #[test]
    fn parses_decimals_into_minor_units() {
        assert_eq!(Money::parse("14.99", gbp()).unwrap().minor_units(), 1499);
        assert_eq!(Money::parse("14.9", gbp()).unwrap().minor_units(), 1490);
        assert_eq!(Money::parse("14", gbp()).unwrap().minor_units(), 1400);
        assert_eq!(Money::parse("0.01", gbp()).unwrap().minor_units(), 1);
        assert_eq!(Money::parse("014.99", gbp()).unwrap().minor_units(), 1499);
    }

    #[test]
    fn trailing_zeros_do_not_change_the_value() {
        assert_eq!(
            Money::parse("14.990", gbp()).unwrap(),
            Money::parse("14.99", gbp()).unwrap()
        );
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for bad in [
            "", "1e3", "-1.00", "+1.00", "1,000.00", " 14.99", "14.99 ", ".5", "5.", "1.2.3",
            "NaN", "inf", "１４",
        ] {
            assert!(Money::parse(bad, gbp()).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn rejects_too_many_decimals() {
        assert!(matches!(
            Money::parse("14.991", gbp()),
            Err(MoneyError::TooManyDecimals { exponent: 2, .. })
        ));
        let yen = Currency::parse("JPY").unwrap();
        assert!(Money::parse("100.5", yen).is_err());
        assert_eq!(Money::parse("100", yen).unwrap().minor_units(), 100);
    }

    #[test]
    fn uses_iso_4217_exponents() {
        let dinar = Currency::parse("KWD").unwrap();
        assert_eq!(Money::parse("1.234", dinar).unwrap().minor_units(), 1234);
        assert_eq!(Money::from_minor_units(1234, dinar).decimal(), "1.234");
        assert_eq!(
            Money::from_minor_units(1000, Currency::parse("JPY").unwrap()).decimal(),
            "1000"
        );
        assert_eq!(Money::from_minor_units(5, gbp()).decimal(), "0.05");
    }

    #[test]
    fn rejects_unknown_and_lowercase_currencies() {
        assert_eq!(Currency::parse("gbp"), Err(MoneyError::UnknownCurrency));
        assert_eq!(Currency::parse("XXX"), Err(MoneyError::UnknownCurrency));
    }

    #[test]
    fn rejects_overflow() {
        assert_eq!(
            Money::parse("99999999999999999999", gbp()),
            Err(MoneyError::TooLarge)
        );
    }
}
