//! Opening the store's connection during a Lambda cold start, so the first event does not
//! pay for TCP (and, on AWS, TLS) set-up, the SDK's first endpoint resolution and signing.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;

use crate::DynamoStore;
use crate::dynamodb::codec::s;
use crate::dynamodb::keys::attr;

/// The key read to open the connection: no item is ever written under it.
const NO_ITEM: &str = "CONNECTION#open";

impl DynamoStore {
    /// One `GetItem` of a key that holds no item, tried once: the cheapest data-plane read (half
    /// a read unit, eventually consistent), through the same endpoint, signing and connection
    /// pool as the callback's own requests, and it leaves a pooled connection that the next
    /// request reuses. Not `DescribeTable`: DynamoDB Local answers that by counting the table's
    /// items. A failure is logged, not returned: the first event then opens the connection
    /// itself and answers for the store as it finds it.
    pub async fn open_connection(&self) {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(attr::PK, s(NO_ITEM))
            .key(attr::SK, s(NO_ITEM))
            .projection_expression("#pk")
            .expression_attribute_names("#pk", attr::PK)
            .customize()
            .config_override(
                aws_sdk_dynamodb::Config::builder().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await;
        if let Err(error) = read {
            tracing::warn!(error = %DisplayErrorContext(&error), "store connection not opened at cold start");
        }
    }
}
