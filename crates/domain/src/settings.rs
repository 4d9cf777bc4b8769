//! The merchant's configuration as the domain needs it, already parsed.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::callback::hold::HoldRules;
use crate::email::EmailAddress;
use crate::ids::InstallationId;
use crate::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn purchase_url(self) -> &'static str {
        match self {
            Mode::Test => "https://secure-test.worldpay.com/wcc/purchase",
            Mode::Live => "https://secure.worldpay.com/wcc/purchase",
        }
    }

    /// Where the FuturePay sweep cancels agreements (WorldPay's remote administration).
    pub fn remote_admin_url(self) -> &'static str {
        match self {
            Mode::Test => "https://secure-test.worldpay.com/wcc/iadmin",
            Mode::Live => "https://secure.worldpay.com/wcc/iadmin",
        }
    }

    /// The `testMode` value a purchase token carries.
    pub fn test_mode_field(self) -> &'static str {
        match self {
            Mode::Test => "100",
            Mode::Live => "0",
        }
    }

    /// A test deployment must not fulfil live money by surprise, and a live one must never
    /// fulfil a test transaction.
    pub fn accepts(self, test_mode: TestMode) -> bool {
        matches!(
            (self, test_mode),
            (Mode::Test, TestMode::Test) | (Mode::Live, TestMode::Live)
        )
    }
}

impl FromStr for Mode {
    type Err = SettingsError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "test" => Ok(Mode::Test),
            "live" => Ok(Mode::Live),
            _ => Err(SettingsError::Mode),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Test => "test",
            Mode::Live => "live",
        })
    }
}

/// What a callback's `testMode` says: absent or `0` is live, anything else a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMode {
    Live,
    Test,
}

impl TestMode {
    pub fn from_field(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("0") => TestMode::Live,
            Some(_) => TestMode::Test,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("mode must be `test` or `live`")]
    Mode,
    #[error("signature fields must be colon-separated token field names")]
    SignatureFields,
    #[error("public base URL must start with https:// or http://")]
    BaseUrl,
}

/// The token fields an MD5 signature covers, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFields(Vec<String>);

impl SignatureFields {
    pub const DEFAULT: &'static str = "instId:amount:currency:cartId";

    pub fn parse(value: &str) -> Result<Self, SettingsError> {
        let names: Vec<String> = value.split(':').map(str::to_owned).collect();
        let valid = |name: &String| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        if names.iter().all(valid) {
            Ok(Self(names))
        } else {
            Err(SettingsError::SignatureFields)
        }
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// An absolute URL prefix for links shown inside WorldPay's pages, without trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Characters that could break out of an HTML attribute are refused, so templates can
    /// print the URL unescaped and readable.
    pub fn parse(value: &str) -> Result<Self, SettingsError> {
        let value = value.trim().trim_end_matches('/');
        let has_host = |rest: &str| {
            !rest.is_empty()
                && !rest.contains(|c: char| {
                    c.is_whitespace() || c.is_control() || "\"'<>`\\".contains(c)
                })
        };
        match value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
        {
            Some(rest) if has_host(rest) => Ok(Self(value.to_owned())),
            _ => Err(SettingsError::BaseUrl),
        }
    }

    pub fn join(&self, path: &str) -> String {
        format!("{}/{}", self.0, path.trim_start_matches('/'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub installation_id: InstallationId,
    /// `None` in a deployment that serves no callbacks (the purchase function): every
    /// callback it might receive is refused.
    pub callback_password: Option<Secret>,
    pub md5_secret: Option<Secret>,
    pub signature_fields: SignatureFields,
    pub public_base_url: BaseUrl,
    pub merchant_email: EmailAddress,
    pub operator_email: EmailAddress,
    /// Which risk signals hold an authorised payment for review.
    pub hold_rules: HoldRules,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_accept_only_their_own_transactions() {
        assert!(Mode::Live.accepts(TestMode::from_field(None)));
        assert!(Mode::Live.accepts(TestMode::from_field(Some("0"))));
        assert!(!Mode::Live.accepts(TestMode::from_field(Some("100"))));
        assert!(Mode::Test.accepts(TestMode::from_field(Some("100"))));
        assert!(!Mode::Test.accepts(TestMode::from_field(None)));
    }

    #[test]
    fn signature_fields_are_colon_separated_names() {
        let fields = SignatureFields::parse(SignatureFields::DEFAULT).unwrap();
        assert_eq!(fields.names().len(), 4);
        assert!(SignatureFields::parse("amount::cartId").is_err());
        assert!(SignatureFields::parse("amount:cart id").is_err());
    }

    #[test]
    fn base_urls_are_absolute() {
        let url = BaseUrl::parse("https://shop.example/").unwrap();
        assert_eq!(url.join("/basket"), "https://shop.example/basket");
        assert!(BaseUrl::parse("/relative").is_err());
        assert!(BaseUrl::parse("https://").is_err());
        assert!(BaseUrl::parse("https://x\"onmouseover=alert(1)").is_err());
    }
}
