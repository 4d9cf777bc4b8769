//! Opening the store's connection during a Lambda cold start, so the first event does not
//! pay for TCP (and, on AWS, TLS) set-up, the SDK's first endpoint resolution and signing.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;

/// One `DescribeTable` on `table`, tried once: it consumes no capacity and leaves a pooled
/// connection that the next request on `client` reuses. A failure is logged, not returned:
/// the first event then opens the connection itself and answers for the store as it finds it.
pub async fn open_connection(client: &Client, table: &str) {
    let described = client
        .describe_table()
        .table_name(table)
        .customize()
        .config_override(aws_sdk_dynamodb::Config::builder().retry_config(RetryConfig::disabled()))
        .send()
        .await;
    if let Err(error) = described {
        tracing::warn!(error = %DisplayErrorContext(&error), "store connection not opened at cold start");
    }
}
