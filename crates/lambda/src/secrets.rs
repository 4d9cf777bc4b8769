//! Secrets from SSM Parameter Store, read once per cold start.
//!
//! On AWS each secret's environment variable holds only the *name* of a SecureString
//! parameter (`SELECTPAY_CALLBACK_PASSWORD_PARAM=/selectpay/callback-password`); a plain
//! value (`SELECTPAY_CALLBACK_PASSWORD=…`) is still honoured for local runs.

use std::collections::HashMap;

use async_trait::async_trait;
use thiserror::Error;

use selectpay_app::config::secret;

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error("parameter store unavailable: {0}")]
    Unavailable(String),
    /// Names only: a parameter's value never reaches an error or a log.
    #[error("parameters not found: {0:?}")]
    NotFound(Vec<String>),
}

#[async_trait]
pub trait ParameterStore: Send + Sync {
    /// Decrypted values by parameter name, for all names that exist.
    async fn decrypted(&self, names: &[String]) -> Result<HashMap<String, String>, SecretsError>;
}

/// The environment with each `needed` secret filled in from its parameter, unless it was
/// given as a plain value. Only needed ones are read: each function may read only its own
/// parameters. One call to the parameter store at most.
pub async fn resolve(
    mut env: HashMap<String, String>,
    store: &dyn ParameterStore,
    needed: &[&str],
) -> Result<HashMap<String, String>, SecretsError> {
    let wanted: Vec<(&str, String)> = needed
        .iter()
        .filter(|target| env.get(**target).is_none_or(|v| v.trim().is_empty()))
        .filter_map(|target| {
            env.get(&secret::parameter_variable(target))
                .filter(|name| !name.trim().is_empty())
                .map(|name| (*target, name.trim().to_owned()))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(env);
    }
    let names: Vec<String> = wanted.iter().map(|(_, name)| name.clone()).collect();
    let mut values = store.decrypted(&names).await?;
    let missing: Vec<String> = names
        .iter()
        .filter(|name| !values.contains_key(*name))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(SecretsError::NotFound(missing));
    }
    for (target, name) in wanted {
        if let Some(value) = values.remove(&name) {
            env.insert(target.to_owned(), value);
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct FakeStore {
        values: HashMap<String, String>,
        calls: Mutex<Vec<Vec<String>>>,
    }

    #[async_trait]
    impl ParameterStore for FakeStore {
        async fn decrypted(
            &self,
            names: &[String],
        ) -> Result<HashMap<String, String>, SecretsError> {
            self.calls.lock().unwrap().push(names.to_vec());
            Ok(names
                .iter()
                .filter_map(|n| self.values.get(n).map(|v| (n.clone(), v.clone())))
                .collect())
        }
    }

    fn store(values: &[(&str, &str)]) -> FakeStore {
        FakeStore {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            calls: Mutex::new(Vec::new()),
        }
    }

    const ALL: [&str; 3] = [
        "SELECTPAY_CALLBACK_PASSWORD",
        "SELECTPAY_API_KEY",
        "SELECTPAY_MD5_SECRET",
    ];

    fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
        vars.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn fills_secrets_from_parameters_in_one_call() {
        let ssm = store(&[("/sp/pw", "s3cret"), ("/sp/key", "k3y")]);
        let resolved = resolve(
            env(&[
                ("SELECTPAY_CALLBACK_PASSWORD_PARAM", "/sp/pw"),
                ("SELECTPAY_API_KEY_PARAM", "/sp/key"),
            ]),
            &ssm,
            &ALL,
        )
        .await
        .unwrap();
        assert_eq!(resolved["SELECTPAY_CALLBACK_PASSWORD"], "s3cret");
        assert_eq!(resolved["SELECTPAY_API_KEY"], "k3y");
        assert_eq!(ssm.calls.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn plain_values_win_and_need_no_call() {
        let ssm = store(&[]);
        let resolved = resolve(
            env(&[
                ("SELECTPAY_CALLBACK_PASSWORD", "plain"),
                ("SELECTPAY_CALLBACK_PASSWORD_PARAM", "/sp/pw"),
            ]),
            &ssm,
            &ALL,
        )
        .await
        .unwrap();
        assert_eq!(resolved["SELECTPAY_CALLBACK_PASSWORD"], "plain");
        assert!(ssm.calls.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn reads_only_the_parameters_the_function_needs() {
        let ssm = store(&[("/sp/pw", "s3cret")]);
        let resolved = resolve(
            env(&[
                ("SELECTPAY_CALLBACK_PASSWORD_PARAM", "/sp/pw"),
                ("SELECTPAY_API_KEY_PARAM", "/sp/key"),
            ]),
            &ssm,
            &["SELECTPAY_CALLBACK_PASSWORD"],
        )
        .await
        .unwrap();
        assert_eq!(resolved["SELECTPAY_CALLBACK_PASSWORD"], "s3cret");
        assert!(!resolved.contains_key("SELECTPAY_API_KEY"));
        assert_eq!(*ssm.calls.lock().unwrap(), vec![vec!["/sp/pw".to_owned()]]);
    }

    #[tokio::test]
    async fn a_missing_parameter_is_named_without_values() {
        let ssm = store(&[("/sp/pw", "s3cret")]);
        let error = resolve(
            env(&[
                ("SELECTPAY_CALLBACK_PASSWORD_PARAM", "/sp/pw"),
                ("SELECTPAY_API_KEY_PARAM", "/sp/missing"),
            ]),
            &ssm,
            &ALL,
        )
        .await
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("/sp/missing"));
        assert!(!message.contains("s3cret"));
    }
}
