//! SSM Parameter Store as the [`ParameterStore`] of secrets.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::secrets::{ParameterStore, SecretsError};

pub struct SsmParameters(pub aws_sdk_ssm::Client);

#[async_trait]
impl ParameterStore for SsmParameters {
    async fn decrypted(&self, names: &[String]) -> Result<HashMap<String, String>, SecretsError> {
        let output = self
            .0
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| {
                SecretsError::Unavailable(aws_sdk_ssm::error::DisplayErrorContext(e).to_string())
            })?;
        Ok(output
            .parameters()
            .iter()
            .filter_map(|p| Some((p.name()?.to_owned(), p.value()?.to_owned())))
            .collect())
    }
}
