//! Configuration from environment variables, one name each.

use selectpay_domain::callback::hold::HoldRules;
use selectpay_domain::email::EmailAddress;
use selectpay_domain::gateway::{Gateway, Gateways};
use selectpay_domain::ids::InstallationId;
use selectpay_domain::opayo::{EncryptionPassword, VendorName};
use selectpay_domain::secret::Secret;
use selectpay_domain::settings::{BaseUrl, Mode, Settings, SignatureFields};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("{0} must be set explicitly in live mode")]
    DevDefaultInLive(&'static str),
}

/// WorldPay remote administration, used by the FuturePay sweep: a separate installation
/// with its own password.
#[derive(Debug, Clone)]
pub struct RemoteAdminConfig {
    pub url: String,
    pub installation_id: InstallationId,
    pub password: Secret,
}

/// Opayo Form, where the deployment offers it.
#[derive(Debug, Clone)]
pub struct OpayoConfig {
    pub vendor: VendorName,
    /// `None` in a function that neither builds nor reads crypts (the sweep).
    pub encryption_password: Option<EncryptionPassword>,
    /// Where Opayo sends the shopper back, as both SuccessURL and FailureURL: selectpay's own
    /// `GET /return/opayo`.
    pub return_url: BaseUrl,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// What `POST /purchase` offers; the first is the default.
    pub gateways: Gateways,
    /// `Some` exactly when `gateways` offers Opayo.
    pub opayo: Option<OpayoConfig>,
    /// `None` where FuturePay is not used: the sweep then only redelivers mail.
    pub remote_admin: Option<RemoteAdminConfig>,
    pub settings: Settings,
    /// `None` where no purchase API is served (the callback function): every request to it
    /// is refused.
    pub api_key: Option<Secret>,
    pub sender_email: EmailAddress,
    /// How long a browser's claim that a cart was paid may wait for the authenticated
    /// callback before the sweep alerts the merchant (`SELECTPAY_CLAIM_GRACE_MINUTES`).
    pub claim_grace: time::Duration,
}

/// `SELECTPAY_CLAIM_GRACE_MINUTES` when unset.
pub const DEFAULT_CLAIM_GRACE_MINUTES: u32 = 30;

/// Values a local development server may fall back to. Never used in live mode for secrets.
pub struct DevDefaults {
    pub public_base_url: String,
}

impl DevDefaults {
    fn value(&self, name: &str) -> Option<String> {
        if name == "SELECTPAY_OPAYO_RETURN_URL" {
            let base = self.public_base_url.trim_end_matches('/');
            return Some(format!("{base}/return/opayo"));
        }
        let value = match name {
            "SELECTPAY_MODE" => "test",
            "SELECTPAY_INSTALLATION_ID" => "38290",
            secret::CALLBACK_PASSWORD => "dev-callback-password",
            secret::API_KEY => "dev-api-key",
            "SELECTPAY_PUBLIC_BASE_URL" => &self.public_base_url,
            "SELECTPAY_MERCHANT_EMAIL" => "merchant@shop.example",
            "SELECTPAY_SENDER_EMAIL" => "orders@shop.example",
            "SELECTPAY_OPERATOR_EMAIL" => "operator@shop.example",
            "SELECTPAY_OPAYO_VENDOR" => "selectpaydev",
            // Exactly 16 bytes: an AES-128 key.
            secret::OPAYO_ENCRYPTION_PASSWORD => "dev-opayo-16-key",
            _ => return None,
        };
        Some(value.to_owned())
    }
}

/// Every secret's variable, spelled here once. On AWS each comes from SSM Parameter Store:
/// its [`parameter_variable`](secret::parameter_variable) holds the parameter's name.
pub mod secret {
    pub const CALLBACK_PASSWORD: &str = "SELECTPAY_CALLBACK_PASSWORD";
    pub const API_KEY: &str = "SELECTPAY_API_KEY";
    pub const MD5_SECRET: &str = "SELECTPAY_MD5_SECRET";
    pub const REMOTE_ADMIN_PASSWORD: &str = "SELECTPAY_REMOTE_ADMIN_PASSWORD";
    pub const OPAYO_ENCRYPTION_PASSWORD: &str = "SELECTPAY_OPAYO_ENCRYPTION_PASSWORD";

    /// Secrets that may not come from [`super::DevDefaults`] on a live installation.
    pub(super) const DEFAULTED_IN_TEST_MODE: &[&str] =
        &[CALLBACK_PASSWORD, API_KEY, OPAYO_ENCRYPTION_PASSWORD];

    /// `SELECTPAY_CALLBACK_PASSWORD` → `SELECTPAY_CALLBACK_PASSWORD_PARAM`.
    pub fn parameter_variable(secret: &str) -> String {
        format!("{secret}_PARAM")
    }
}

#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    /// Names that fell back to a development default, for the server to announce.
    pub defaulted: Vec<&'static str>,
}

impl Config {
    /// Reads the configuration through `lookup` (the environment in production), falling back
    /// to `defaults` where given.
    pub fn load(
        lookup: impl Fn(&str) -> Option<String>,
        defaults: Option<&DevDefaults>,
    ) -> Result<Loaded, ConfigError> {
        let mut defaulted = Vec::new();
        let mut optional = |name: &'static str| -> Option<String> {
            lookup(name).filter(|v| !v.trim().is_empty()).or_else(|| {
                let value = defaults.and_then(|d| d.value(name))?;
                defaulted.push(name);
                Some(value)
            })
        };
        let required =
            |value: Option<String>, name: &'static str| value.ok_or(ConfigError::Missing(name));
        let invalid = |name: &'static str| {
            move |reason: &dyn std::fmt::Display| ConfigError::Invalid {
                name,
                reason: reason.to_string(),
            }
        };
        let secret = |name: &'static str, value: String| {
            Secret::new(&value).ok_or_else(|| invalid(name)(&"must not be blank"))
        };
        let email = |name: &'static str, value: String| {
            EmailAddress::parse(&value).map_err(|e| invalid(name)(&e))
        };

        let mut text = |name| required(optional(name), name);
        let mode: Mode = text("SELECTPAY_MODE")?
            .parse()
            .map_err(|e| invalid("SELECTPAY_MODE")(&e))?;
        let installation_id = InstallationId::parse(&text("SELECTPAY_INSTALLATION_ID")?)
            .map_err(|e| invalid("SELECTPAY_INSTALLATION_ID")(&e))?;
        let public_base_url = BaseUrl::parse(&text("SELECTPAY_PUBLIC_BASE_URL")?)
            .map_err(|e| invalid("SELECTPAY_PUBLIC_BASE_URL")(&e))?;
        let merchant_email = email(
            "SELECTPAY_MERCHANT_EMAIL",
            text("SELECTPAY_MERCHANT_EMAIL")?,
        )?;
        let sender_email = email("SELECTPAY_SENDER_EMAIL", text("SELECTPAY_SENDER_EMAIL")?)?;
        let operator_email = email(
            "SELECTPAY_OPERATOR_EMAIL",
            text("SELECTPAY_OPERATOR_EMAIL")?,
        )?;
        // Each function is given only the secrets it uses, so none is required here.
        let mut optional_secret = |name| optional(name).map(|v| secret(name, v)).transpose();
        let callback_password = optional_secret(secret::CALLBACK_PASSWORD)?;
        let api_key = optional_secret(secret::API_KEY)?;
        let md5_secret = optional_secret(secret::MD5_SECRET)?;
        let remote_admin_password = optional_secret(secret::REMOTE_ADMIN_PASSWORD)?;
        let remote_admin_installation = optional("SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID")
            .map(|id| {
                InstallationId::parse(&id)
                    .map_err(|e| invalid("SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID")(&e))
            })
            .transpose()?;
        let remote_admin_url = optional("SELECTPAY_REMOTE_ADMIN_URL");
        let signature_fields = SignatureFields::parse(
            &lookup("SELECTPAY_SIGNATURE_FIELDS")
                .unwrap_or_else(|| SignatureFields::DEFAULT.to_owned()),
        )
        .map_err(|e| invalid("SELECTPAY_SIGNATURE_FIELDS")(&e))?;
        let gateways = Gateways::parse(
            &lookup("SELECTPAY_GATEWAYS").unwrap_or_else(|| Gateways::DEFAULT.to_owned()),
        )
        .map_err(|e| invalid("SELECTPAY_GATEWAYS")(&e))?;
        let opayo = if gateways.offers(Gateway::Opayo) {
            let vendor = VendorName::parse(&required(
                optional("SELECTPAY_OPAYO_VENDOR"),
                "SELECTPAY_OPAYO_VENDOR",
            )?)
            .map_err(|e| invalid("SELECTPAY_OPAYO_VENDOR")(&e))?;
            let return_url = BaseUrl::parse(&required(
                optional("SELECTPAY_OPAYO_RETURN_URL"),
                "SELECTPAY_OPAYO_RETURN_URL",
            )?)
            .map_err(|e| invalid("SELECTPAY_OPAYO_RETURN_URL")(&e))?;
            let encryption_password = optional(secret::OPAYO_ENCRYPTION_PASSWORD)
                .map(|value| {
                    EncryptionPassword::new(&value)
                        .map_err(|e| invalid(secret::OPAYO_ENCRYPTION_PASSWORD)(&e))
                })
                .transpose()?;
            Some(OpayoConfig {
                vendor,
                encryption_password,
                return_url,
            })
        } else {
            None
        };
        // Blank is unset, as for every variable: holding nothing takes an explicit `none`.
        let hold_rules = HoldRules::parse(
            &lookup("SELECTPAY_HOLD_ON")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| HoldRules::DEFAULT.to_owned()),
        )
        .map_err(|e| invalid("SELECTPAY_HOLD_ON")(&e))?;

        let claim_grace =
            match lookup("SELECTPAY_CLAIM_GRACE_MINUTES").filter(|v| !v.trim().is_empty()) {
                None => DEFAULT_CLAIM_GRACE_MINUTES,
                Some(value) => value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|minutes| *minutes > 0)
                    .ok_or_else(|| {
                        invalid("SELECTPAY_CLAIM_GRACE_MINUTES")(
                            &"must be a whole number of minutes, at least 1",
                        )
                    })?,
            };

        if mode == Mode::Live
            && let Some(name) = defaulted
                .iter()
                .find(|name| secret::DEFAULTED_IN_TEST_MODE.contains(name))
        {
            return Err(ConfigError::DevDefaultInLive(name));
        }
        Ok(Loaded {
            config: Config {
                gateways,
                opayo,
                remote_admin: match (remote_admin_installation, remote_admin_password) {
                    (Some(installation_id), Some(password)) => Some(RemoteAdminConfig {
                        url: remote_admin_url.unwrap_or_else(|| mode.remote_admin_url().to_owned()),
                        installation_id,
                        password,
                    }),
                    _ => None,
                },
                settings: Settings {
                    mode,
                    installation_id,
                    callback_password,
                    md5_secret,
                    signature_fields,
                    public_base_url,
                    merchant_email,
                    operator_email,
                    hold_rules,
                },
                api_key,
                sender_email,
                claim_grace: time::Duration::minutes(i64::from(claim_grace)),
            },
            defaulted,
        })
    }
}

#[cfg(test)]
mod tests;
