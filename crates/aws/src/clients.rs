//! SDK clients with a bounded time budget. API Gateway gives a request 29 s and a callback
//! may make a few store calls and send two mails in that time, so no call may hang on
//! retries: a store that is down must become a quick 503, which makes WorldPay alert the
//! merchant with the payment data.

use std::time::Duration;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_types::SdkConfig;

use crate::environment::configured_endpoint;
use crate::http1::{Trust, http1_client};

/// At most three tries per call (throttling and 5xx are retried by the SDK)...
const MAX_ATTEMPTS: u32 = 3;
/// ...each given this long, once connected...
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// ...and all of them together this long, pauses included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);
/// A reachable endpoint accepts a connection in milliseconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The shared configuration from the SDK's provider chain, for the command line: region and
/// credentials from the environment, `~/.aws` profiles (SSO, assumed roles), ECS or instance
/// metadata, and endpoint overrides such as `AWS_ENDPOINT_URL_DYNAMODB`. The Lambda functions
/// use [`crate::lambda_sdk_config`] instead.
#[cfg(feature = "provider-chain")]
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http1_client(Trust::SystemRoots))
        .load()
        .await
}

/// For a service whose endpoint is plain HTTP (DynamoDB Local, the SES emulator, a runtime
/// emulator's closed ports), a client that trusts nothing, so that no certificate file is
/// read at all; `None` (the shared HTTPS client) otherwise. `service` is the suffix of its
/// endpoint variable: `AWS_ENDPOINT_URL_DYNAMODB` wins over `AWS_ENDPOINT_URL`, as in the SDK.
pub fn plain_http_client(config: &SdkConfig, service: &str) -> Option<SharedHttpClient> {
    configured_endpoint(&|name| std::env::var(name).ok(), service)
        .or_else(|| config.endpoint_url().map(str::to_owned))?
        .starts_with("http://")
        .then(|| http1_client(Trust::Nothing))
}

fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(1))
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

pub fn dynamodb_client(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(config)
        .retry_config(retry())
        .timeout_config(timeouts());
    if let Some(plain) = plain_http_client(config, "DYNAMODB") {
        builder = builder.http_client(plain);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// One try per send, within the same time limits: a retried send may be a second copy of a
/// mail SES took the first time. Redelivery tries again under a new lease instead.
pub fn ses_client(config: &SdkConfig) -> aws_sdk_sesv2::Client {
    let mut builder = aws_sdk_sesv2::config::Builder::from(config)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts());
    if let Some(plain) = plain_http_client(config, "SESV2") {
        builder = builder.http_client(plain);
    }
    aws_sdk_sesv2::Client::from_conf(builder.build())
}
