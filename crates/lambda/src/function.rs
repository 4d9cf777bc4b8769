//! The three Lambda functions and what each needs.

use selectpay_app::config::{Config, secret};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `POST /purchase`, `GET /carts/{cartId}`.
    PurchaseToken,
    /// `POST /callback`, `GET /callback`.
    Callback,
    /// The scheduled sweep.
    FuturePaySweep,
}

#[derive(Debug, Error)]
#[error("{function:?} needs {variable} (or its _PARAM parameter name)")]
pub struct MissingSecret {
    function: Function,
    variable: &'static str,
}

impl Function {
    /// The secrets this function reads, and may read: its IAM policy allows no others.
    pub fn secrets(self) -> &'static [&'static str] {
        match self {
            Function::PurchaseToken => &[secret::API_KEY, secret::MD5_SECRET],
            Function::Callback => &[secret::CALLBACK_PASSWORD],
            Function::FuturePaySweep => &[secret::REMOTE_ADMIN_PASSWORD],
        }
    }

    /// Refuses to start without the secret that protects the function's own endpoint.
    pub fn check(self, config: &Config) -> Result<(), MissingSecret> {
        let missing = match self {
            Function::PurchaseToken if config.api_key.is_none() => Some(secret::API_KEY),
            Function::Callback if config.settings.callback_password.is_none() => {
                Some(secret::CALLBACK_PASSWORD)
            }
            _ => None,
        };
        missing.map_or(Ok(()), |variable| {
            Err(MissingSecret {
                function: self,
                variable,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selectpay_app::config::DevDefaults;

    fn config_without(variable: &str) -> Config {
        Config::load(
            |name| (name == variable).then(String::new),
            Some(&DevDefaults {
                public_base_url: "https://shop.example".into(),
            }),
        )
        .map(|loaded| loaded.config)
        .map(|mut config| {
            match variable {
                "SELECTPAY_API_KEY" => config.api_key = None,
                _ => config.settings.callback_password = None,
            }
            config
        })
        .unwrap()
    }

    #[test]
    fn each_function_needs_the_secret_of_its_own_endpoint() {
        let no_key = config_without("SELECTPAY_API_KEY");
        assert!(Function::PurchaseToken.check(&no_key).is_err());
        assert!(Function::Callback.check(&no_key).is_ok());
        let no_password = config_without("SELECTPAY_CALLBACK_PASSWORD");
        assert!(Function::Callback.check(&no_password).is_err());
        assert!(Function::PurchaseToken.check(&no_password).is_ok());
        assert!(Function::FuturePaySweep.check(&no_password).is_ok());
    }

    #[test]
    fn the_callback_function_never_reads_the_api_key() {
        assert_eq!(
            Function::Callback.secrets(),
            ["SELECTPAY_CALLBACK_PASSWORD"]
        );
        assert!(
            !Function::PurchaseToken
                .secrets()
                .contains(&"SELECTPAY_CALLBACK_PASSWORD")
        );
    }
}
