//! The fraud signals an authorisation carries, read into named values.
//!
//! WorldPay authorises a card even when the card security code or the address did not match;
//! it reports what it checked and leaves the decision to the merchant. `AVS` holds four
//! digits (CVV, postcode, address, country), `wafMerchMessage` WorldAlert's verdict and
//! `authentication` the 3-D Secure result.

use std::fmt;

use super::form::Form;

/// One AVS digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AvsResult {
    NotSupported,
    NotChecked,
    Matched,
    NotMatched,
    Partial,
}

impl AvsResult {
    pub const ALL: [AvsResult; 5] = [
        AvsResult::NotSupported,
        AvsResult::NotChecked,
        AvsResult::Matched,
        AvsResult::NotMatched,
        AvsResult::Partial,
    ];

    fn from_digit(digit: u8) -> Option<Self> {
        match digit {
            b'0' => Some(AvsResult::NotSupported),
            b'1' => Some(AvsResult::NotChecked),
            b'2' => Some(AvsResult::Matched),
            b'4' => Some(AvsResult::NotMatched),
            b'8' => Some(AvsResult::Partial),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AvsResult::NotSupported => "not_supported",
            AvsResult::NotChecked => "not_checked",
            AvsResult::Matched => "matched",
            AvsResult::NotMatched => "not_matched",
            AvsResult::Partial => "partial",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            AvsResult::NotSupported => "not supported",
            AvsResult::NotChecked => "not checked",
            AvsResult::Matched => "matched",
            AvsResult::NotMatched => "NOT matched",
            AvsResult::Partial => "partially matched",
        }
    }
}

/// What one AVS digit is about, in the order of the digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AvsCheck {
    Cvv,
    Postcode,
    Address,
    Country,
}

impl AvsCheck {
    pub const ALL: [AvsCheck; 4] = [
        AvsCheck::Cvv,
        AvsCheck::Postcode,
        AvsCheck::Address,
        AvsCheck::Country,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AvsCheck::Cvv => "cvv",
            AvsCheck::Postcode => "postcode",
            AvsCheck::Address => "address",
            AvsCheck::Country => "country",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            AvsCheck::Cvv => "card security code (CVV)",
            AvsCheck::Postcode => "postcode",
            AvsCheck::Address => "address",
            AvsCheck::Country => "country",
        }
    }
}

/// The four AVS digits, e.g. `2422`: CVV matched, postcode not matched, address and
/// country matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avs([AvsResult; 4]);

impl Avs {
    /// Exactly four known digits, or nothing: a garbled AVS must not read as "matched".
    pub fn parse(value: &str) -> Option<Self> {
        let digits: [u8; 4] = value.trim().as_bytes().try_into().ok()?;
        let mut results = [AvsResult::NotSupported; 4];
        for (result, digit) in results.iter_mut().zip(digits) {
            *result = AvsResult::from_digit(digit)?;
        }
        Some(Self(results))
    }

    pub fn result(&self, check: AvsCheck) -> AvsResult {
        self.0[check as usize]
    }

    pub fn checks(&self) -> impl Iterator<Item = (AvsCheck, AvsResult)> + '_ {
        AvsCheck::ALL
            .into_iter()
            .map(|check| (check, self.result(check)))
    }
}

/// WorldAlert's message to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WafMessage {
    Warning,
    Caution,
}

impl WafMessage {
    fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "waf.warning" => Some(WafMessage::Warning),
            "waf.caution" => Some(WafMessage::Caution),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WafMessage::Warning => "warning",
            WafMessage::Caution => "caution",
        }
    }
}

/// The 3-D Secure result, `ARespH.card.authentication.X`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// `0`: the cardholder authenticated.
    Authenticated,
    /// `1`: the card or its issuer is not enrolled in 3-D Secure.
    NotEnrolled,
    /// `6`: authentication was not available.
    Unavailable,
    /// `7`: the cardholder did not complete authentication.
    NotCompleted,
}

impl Authentication {
    pub const ALL: [Authentication; 4] = [
        Authentication::Authenticated,
        Authentication::NotEnrolled,
        Authentication::Unavailable,
        Authentication::NotCompleted,
    ];

    fn parse(value: &str) -> Option<Self> {
        match value.trim().strip_prefix("ARespH.card.authentication.")? {
            "0" => Some(Authentication::Authenticated),
            "1" => Some(Authentication::NotEnrolled),
            "6" => Some(Authentication::Unavailable),
            "7" => Some(Authentication::NotCompleted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Authentication::Authenticated => "authenticated",
            Authentication::NotEnrolled => "not_enrolled",
            Authentication::Unavailable => "unavailable",
            Authentication::NotCompleted => "not_completed",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Authentication::Authenticated => "cardholder authenticated",
            Authentication::NotEnrolled => "card not enrolled",
            Authentication::Unavailable => "authentication unavailable",
            Authentication::NotCompleted => "cardholder did NOT complete authentication",
        }
    }
}

/// The risk signals of one callback. A field that is present but not understood is kept
/// verbatim in `unrecognised` so the merchant still sees it, and never counts as a pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskSignals {
    pub avs: Option<Avs>,
    pub waf: Option<WafMessage>,
    pub authentication: Option<Authentication>,
    /// `(field, value)` of signals present with a value this code does not know.
    pub unrecognised: Vec<(&'static str, String)>,
}

impl RiskSignals {
    pub fn from_form(form: &Form) -> Self {
        let mut unrecognised = Vec::new();
        let avs = read_signal(form, "AVS", Avs::parse, &mut unrecognised);
        let waf = read_signal(
            form,
            "wafMerchMessage",
            WafMessage::parse,
            &mut unrecognised,
        );
        let authentication = read_signal(
            form,
            "authentication",
            Authentication::parse,
            &mut unrecognised,
        );
        RiskSignals {
            avs,
            waf,
            authentication,
            unrecognised,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == RiskSignals::default()
    }
}

/// A signal that is present and not blank; one not understood is noted, shortened so a
/// notice line stays a line.
fn read_signal<T>(
    form: &Form,
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
    unrecognised: &mut Vec<(&'static str, String)>,
) -> Option<T> {
    let value = form.non_blank(field)?;
    let parsed = parse(value);
    if parsed.is_none() {
        unrecognised.push((field, value.chars().take(64).collect()));
    }
    parsed
}

/// One line per signal, for the merchant's notice (plain text; the mail layer escapes).
impl fmt::Display for RiskSignals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(avs) = &self.avs {
            for (check, result) in avs.checks() {
                writeln!(f, "{}: {}", check.describe(), result.describe())?;
            }
        }
        if let Some(waf) = self.waf {
            writeln!(f, "WorldAlert: {}", waf.as_str())?;
        }
        if let Some(authentication) = self.authentication {
            writeln!(f, "3-D Secure: {}", authentication.describe())?;
        }
        for (field, value) in &self.unrecognised {
            writeln!(f, "{field}: {value} (not understood)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(body: &[(&str, &str)]) -> RiskSignals {
        RiskSignals::from_form(&body.iter().copied().collect())
    }

    #[test]
    fn reads_the_four_avs_digits_in_order() {
        let avs = Avs::parse("2481").unwrap();
        assert_eq!(avs.result(AvsCheck::Cvv), AvsResult::Matched);
        assert_eq!(avs.result(AvsCheck::Postcode), AvsResult::NotMatched);
        assert_eq!(avs.result(AvsCheck::Address), AvsResult::Partial);
        assert_eq!(avs.result(AvsCheck::Country), AvsResult::NotChecked);
        assert_eq!(
            Avs::parse("0000").unwrap().result(AvsCheck::Country),
            AvsResult::NotSupported
        );
    }

    #[test]
    fn a_garbled_avs_is_not_a_result() {
        for value in ["", "222", "22222", "2232", "22a2", "２２２２"] {
            assert_eq!(Avs::parse(value), None, "{value:?}");
        }
    }

    #[test]
    fn the_faq_example_callback_has_its_signals_named() {
        let read = signals(&[
            ("AVS", "0001"),
            ("wafMerchMessage", "waf.caution"),
            ("authentication", "ARespH.card.authentication.7"),
        ]);
        assert_eq!(read.avs, Avs::parse("0001"));
        assert_eq!(read.waf, Some(WafMessage::Caution));
        assert_eq!(read.authentication, Some(Authentication::NotCompleted));
        assert!(read.unrecognised.is_empty());
    }

    #[test]
    fn absent_and_blank_signals_are_nothing() {
        assert!(signals(&[]).is_empty());
        assert!(signals(&[("AVS", " "), ("wafMerchMessage", "")]).is_empty());
    }

    #[test]
    fn values_not_understood_are_kept_for_the_merchant() {
        let read = signals(&[
            ("AVS", "9999"),
            ("wafMerchMessage", "waf.panic"),
            ("authentication", "ARespH.card.authentication.5"),
        ]);
        assert_eq!(
            (read.avs, read.waf, read.authentication),
            (None, None, None)
        );
        assert_eq!(
            read.unrecognised,
            vec![
                ("AVS", "9999".to_owned()),
                ("wafMerchMessage", "waf.panic".to_owned()),
                ("authentication", "ARespH.card.authentication.5".to_owned()),
            ]
        );
        assert!(!read.is_empty());
    }

    #[test]
    fn the_notice_text_names_every_signal() {
        let read = signals(&[
            ("AVS", "4122"),
            ("wafMerchMessage", "waf.warning"),
            ("authentication", "ARespH.card.authentication.0"),
        ]);
        assert_eq!(
            read.to_string(),
            "card security code (CVV): NOT matched\n\
             postcode: not checked\n\
             address: matched\n\
             country: matched\n\
             WorldAlert: warning\n\
             3-D Secure: cardholder authenticated\n"
        );
    }
}
