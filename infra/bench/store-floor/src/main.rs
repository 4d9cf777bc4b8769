//! The least a callback that commits the payment before it replies can do: for each event,
//! one conditional `PutItem` of the event's body (as the callback keeps the raw delivery)
//! under a fresh key, then a fixed 200 reply. No parsing, no checks, no page, no mail.
//!
//! The bench times it beside the callback and the peer on the same DynamoDB Local: its warm
//! latency is what the callback's could reach at best with any design, so the peer's ratio
//! to it bounds the callback's ratio (issue #12's target 5).

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = selectpay_aws::lambda_sdk_config()?;
    let client = selectpay_aws::dynamodb_client(&config);
    let table = std::env::var("SELECTPAY_TABLE_NAME")?;
    let (client, table) = (&client, table.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let body = event.payload["body"].as_str().unwrap_or_default();
        // A random key: the bench's emulator numbers request ids afresh in each process.
        let key = getrandom::u64().map_err(|error| error.to_string())?;
        client
            .put_item()
            .table_name(table)
            .item("pk", AttributeValue::S(format!("FLOOR#{key:016x}")))
            .item("sk", AttributeValue::S("DELIVERY".to_owned()))
            .item("delivery", AttributeValue::S(body.to_owned()))
            .condition_expression("attribute_not_exists(pk)")
            // Issue #12 asks every commit to report its capacity, so the floor pays for it too.
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await?;
        Ok::<_, Error>(json!({
            "statusCode": 200,
            "headers": {"content-type": "text/html; charset=utf-8"},
            "body": "<p>Thank you (store floor)</p>",
        }))
    }))
    .await
}
