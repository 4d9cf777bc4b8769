//! SDK clients with a bounded time budget. API Gateway gives a request 29 s and a callback
//! may make a few store calls and send two mails in that time, so no call may hang on
//! retries: a store that is down must become a quick 503, which makes WorldPay alert the
//! merchant with the payment data.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;

/// At most three tries per call (throttling and 5xx are retried by the SDK)...
const MAX_ATTEMPTS: u32 = 3;
/// ...each given this long, once connected...
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// ...and all of them together this long, pauses included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);
/// A reachable endpoint accepts a connection in milliseconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The shared configuration from the environment: region, credentials (environment
/// variables on Lambda; ECS and instance metadata elsewhere) and endpoint overrides such as
/// `AWS_ENDPOINT_URL_DYNAMODB`.
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
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
    let config = aws_sdk_dynamodb::config::Builder::from(config)
        .retry_config(retry())
        .timeout_config(timeouts())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// One try per send, within the same time limits: a retried send may be a second copy of a
/// mail SES took the first time. Redelivery tries again under a new lease instead.
pub fn ses_client(config: &SdkConfig) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::config::Builder::from(config)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts())
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}
