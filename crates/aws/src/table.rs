//! Creating the table the stack deploys, from the same definition (`infra/table.json`,
//! which `./infra/services.sh lint` checks against `template.yaml`), for a local server
//! on DynamoDB Local and for tests.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use serde_json::Value;

use selectpay_domain::ports::StoreError;

/// The table as `aws dynamodb create-table --cli-input-json` takes it. Its `TableName` is
/// ignored: the caller names the table.
const TABLE_JSON: &str = include_str!("../../../infra/table.json");

/// How long a new table may take to become active. DynamoDB Local takes milliseconds, AWS
/// usually seconds; a table that is still not active after this is reported, not awaited.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

/// Creates table `name` like the deployed one unless a table of that name exists, and
/// waits (at most two minutes) until it is active. An existing table is taken as it is:
/// its key schema and indexes are not compared with the definition.
///
/// # Errors
/// [`StoreError::Unavailable`] when DynamoDB cannot be reached or refuses (no credentials,
/// no permission, too many tables...), or the table does not become active in time.
pub async fn create_table_if_missing(client: &Client, name: &str) -> Result<(), StoreError> {
    let table = TableDefinition::parse(TABLE_JSON).map_err(|e| {
        StoreError::unavailable(format!("infra/table.json is not a table definition: {e}"))
    })?;
    let created = client
        .create_table()
        .table_name(name)
        .billing_mode(table.billing_mode)
        .set_attribute_definitions(Some(table.attributes))
        .set_key_schema(Some(table.key_schema))
        .set_global_secondary_indexes(Some(table.indexes))
        .send()
        .await;
    match created {
        Ok(_) => {}
        // DynamoDB's answer for a table that exists (or is being created) already.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(error) => {
            return Err(StoreError::unavailable(format!(
                "cannot create table {name}: {}",
                DisplayErrorContext(error)
            )));
        }
    }
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(ACTIVE_TIMEOUT)
        .await
        .map(|_| ())
        .map_err(|e| {
            StoreError::unavailable(format!(
                "table {name} did not become active: {}",
                DisplayErrorContext(e)
            ))
        })
}

/// What a CreateTable request takes from `infra/table.json`.
#[derive(Debug)]
struct TableDefinition {
    billing_mode: BillingMode,
    attributes: Vec<AttributeDefinition>,
    key_schema: Vec<KeySchemaElement>,
    indexes: Vec<GlobalSecondaryIndex>,
}

impl TableDefinition {
    fn parse(json: &str) -> Result<Self, String> {
        let table: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let attributes = list(&table, "AttributeDefinitions")?
            .iter()
            .map(|attribute| {
                AttributeDefinition::builder()
                    .attribute_name(text(attribute, "AttributeName")?)
                    .attribute_type(ScalarAttributeType::from(text(attribute, "AttributeType")?))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        let indexes = list(&table, "GlobalSecondaryIndexes")?
            .iter()
            .map(|index| {
                let projection = index
                    .get("Projection")
                    .ok_or("an index has no Projection")?;
                GlobalSecondaryIndex::builder()
                    .index_name(text(index, "IndexName")?)
                    .set_key_schema(Some(key_schema(index)?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(text(
                                projection,
                                "ProjectionType",
                            )?))
                            .build(),
                    )
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            billing_mode: BillingMode::from(text(&table, "BillingMode")?),
            attributes,
            key_schema: key_schema(&table)?,
            indexes,
        })
    }
}

fn key_schema(parent: &Value) -> Result<Vec<KeySchemaElement>, String> {
    list(parent, "KeySchema")?
        .iter()
        .map(|key| {
            KeySchemaElement::builder()
                .attribute_name(text(key, "AttributeName")?)
                .key_type(KeyType::from(text(key, "KeyType")?))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn text<'a>(object: &'a Value, field: &str) -> Result<&'a str, String> {
    object
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{field} is missing or not a string"))
}

fn list<'a>(object: &'a Value, field: &str) -> Result<&'a [Value], String> {
    object
        .get(field)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("{field} is missing or not a list"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_definition_is_the_deployed_table() {
        let table = TableDefinition::parse(TABLE_JSON).unwrap();
        assert_eq!(table.billing_mode, BillingMode::PayPerRequest);
        let keys: Vec<_> = table
            .key_schema
            .iter()
            .map(|k| (k.attribute_name(), k.key_type().clone()))
            .collect();
        assert_eq!(keys, [("pk", KeyType::Hash), ("sk", KeyType::Range)]);
        assert_eq!(table.attributes.len(), 8);
        let indexes: Vec<_> = table
            .indexes
            .iter()
            .map(|i| (i.index_name(), i.key_schema().len()))
            .collect();
        assert_eq!(
            indexes,
            [
                ("due-agreements", 2),
                ("pending-mail", 2),
                ("mail-queue", 2)
            ]
        );
        let known = ScalarAttributeType::values();
        assert!(
            table
                .attributes
                .iter()
                .all(|a| known.contains(&a.attribute_type().as_str()))
        );
    }

    #[test]
    fn a_definition_missing_a_field_is_an_error_not_a_panic() {
        let error = TableDefinition::parse(r#"{"BillingMode": "PAY_PER_REQUEST"}"#).unwrap_err();
        assert!(error.contains("AttributeDefinitions"), "{error}");
    }

    /// Needs DynamoDB Local, like the crate's other tests of the store.
    #[cfg(feature = "testing")]
    #[tokio::test]
    async fn a_table_that_exists_already_is_success() {
        let (client, name) = crate::testing::fresh_table().await;

        create_table_if_missing(&client, &name).await.unwrap();

        let described = client
            .describe_table()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        let status = described.table().and_then(|t| t.table_status()).cloned();
        assert_eq!(status, Some(aws_sdk_dynamodb::types::TableStatus::Active));
    }
}
