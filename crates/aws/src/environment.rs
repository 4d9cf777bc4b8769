//! The SDK configuration of a Lambda function, from the variables Lambda sets: no provider
//! chain (`aws-config` would link STS, SSO, instance metadata and profile-file parsing, and
//! read `~/.aws` at every cold start, for credentials Lambda already put in the environment).
//! Endpoint overrides are read as the SDK's own configuration reads them, so DynamoDB Local
//! and the SES emulator work the same under a runtime emulator.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use aws_types::SdkConfig;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use thiserror::Error;

use crate::http1::{Trust, http1_client};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EnvironmentError {
    /// Lambda always sets it; anywhere else, set it (`AWS_REGION=eu-west-1`).
    #[error(
        "{0} is not set: the function needs its region and credentials from the environment, as Lambda sets them"
    )]
    Missing(&'static str),
}

/// Region from `AWS_REGION`, the execution role's credentials from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, and each client's endpoint from
/// `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` when set. The credentials last as long
/// as the execution environment, so they are read once.
pub fn lambda_sdk_config() -> Result<SdkConfig, EnvironmentError> {
    lambda_sdk_config_from(|name| std::env::var(name).ok())
}

fn lambda_sdk_config_from(
    var: impl Fn(&str) -> Option<String> + Clone + Send + Sync + 'static,
) -> Result<SdkConfig, EnvironmentError> {
    let required = |name: &'static str| {
        var(name)
            .filter(|value| !value.trim().is_empty())
            .ok_or(EnvironmentError::Missing(name))
    };
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        var("AWS_SESSION_TOKEN").filter(|token| !token.is_empty()),
        None,
        "lambda-environment",
    );
    Ok(SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(required("AWS_REGION")?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(http1_client(Trust::SystemRoots))
        .service_config(EndpointVariables(var.clone()))
        .build())
}

/// What each client's builder asks its shared configuration for: only the endpoint
/// variables are read (through the reader it holds), when the client is built.
struct EndpointVariables<Var>(Var);

impl<Var> std::fmt::Debug for EndpointVariables<Var> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EndpointVariables")
    }
}

impl<Var> LoadServiceConfig for EndpointVariables<Var>
where
    Var: Fn(&str) -> Option<String> + Send + Sync,
{
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        if key.env() != "AWS_ENDPOINT_URL" {
            return None;
        }
        // The service id as its variable spells it: "DynamoDB" → DYNAMODB, "SESv2" → SESV2.
        let service = key.service_id().to_ascii_uppercase().replace(' ', "_");
        configured_endpoint(&self.0, &service)
    }
}

/// `AWS_ENDPOINT_URL_<service>`, else `AWS_ENDPOINT_URL`, as the SDK's own configuration
/// reads them, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
pub(crate) fn configured_endpoint(
    var: &impl Fn(&str) -> Option<String>,
    service: &str,
) -> Option<String> {
    if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    let set = |name: String| var(&name).filter(|url| !url.trim().is_empty());
    set(format!("AWS_ENDPOINT_URL_{service}")).or_else(|| set("AWS_ENDPOINT_URL".to_owned()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_credential_types::provider::ProvideCredentials;

    use super::*;

    fn env(
        pairs: &[(&str, &str)],
    ) -> impl Fn(&str) -> Option<String> + Clone + Send + Sync + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const LAMBDA: [(&str, &str); 4] = [
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "token"),
    ];

    #[tokio::test]
    async fn region_and_credentials_come_from_lambdas_variables() {
        let config = lambda_sdk_config_from(env(&LAMBDA)).unwrap();
        assert_eq!(config.region().unwrap().as_ref(), "eu-west-1");
        assert_eq!(config.endpoint_url(), None);
        let provider = config.credentials_provider().unwrap();
        let credentials = provider.provide_credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(credentials.session_token(), Some("token"));
    }

    /// Each client's builder asks with its service id and the variable's stem; the answer is
    /// the endpoint the SDK's own configuration would give it.
    #[test]
    fn each_client_gets_its_own_endpoint_variable() {
        let mut vars = LAMBDA.to_vec();
        vars.extend([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
            ("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:8005"),
        ]);
        let config = lambda_sdk_config_from(env(&vars)).unwrap();
        let services = config.service_config().expect("endpoint variables");
        let asked = |service_id, env| {
            let key = ServiceConfigKey::builder()
                .service_id(service_id)
                .env(env)
                .profile("endpoint_url")
                .build()
                .unwrap();
            services.load_config(key)
        };
        let endpoint = |service_id| asked(service_id, "AWS_ENDPOINT_URL");
        assert_eq!(
            endpoint("DynamoDB").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(endpoint("SESv2").as_deref(), Some("http://127.0.0.1:8005"));
        assert_eq!(endpoint("SSM").as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(
            asked("DynamoDB", "AWS_USE_FIPS_ENDPOINT"),
            None,
            "only endpoints"
        );
    }

    #[test]
    fn a_missing_variable_is_named() {
        let without_secret = env(&[("AWS_REGION", "eu-west-1"), ("AWS_ACCESS_KEY_ID", "AKID")]);
        assert_eq!(
            lambda_sdk_config_from(without_secret).unwrap_err(),
            EnvironmentError::Missing("AWS_SECRET_ACCESS_KEY")
        );
    }

    #[test]
    fn a_service_endpoint_wins_over_the_global_one_unless_endpoints_are_ignored() {
        let mut vars = LAMBDA.to_vec();
        vars.extend([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
        ]);
        let var = env(&vars);
        assert_eq!(
            configured_endpoint(&var, "DYNAMODB").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            configured_endpoint(&var, "SESV2").as_deref(),
            Some("http://127.0.0.1:9")
        );
        vars.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
        assert_eq!(configured_endpoint(&env(&vars), "DYNAMODB"), None);
    }
}
