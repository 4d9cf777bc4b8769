//! SSM Parameter Store as the [`ParameterStore`] of secrets.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_types::SdkConfig;

use crate::secrets::{ParameterStore, SecretsError};

/// Builds its client on the first read: a function given every secret as a plain value, or
/// none of its own `_PARAM` names, never builds one.
pub struct SsmParameters<'a> {
    sdk: &'a SdkConfig,
}

impl<'a> SsmParameters<'a> {
    pub fn new(sdk: &'a SdkConfig) -> Self {
        Self { sdk }
    }

    fn client(&self) -> aws_sdk_ssm::Client {
        let mut builder = aws_sdk_ssm::config::Builder::from(self.sdk);
        if let Some(plain) = selectpay_aws::plain_http_client(self.sdk, "SSM") {
            builder = builder.http_client(plain);
        }
        aws_sdk_ssm::Client::from_conf(builder.build())
    }
}

#[async_trait]
impl ParameterStore for SsmParameters<'_> {
    async fn decrypted(&self, names: &[String]) -> Result<HashMap<String, String>, SecretsError> {
        let output = self
            .client()
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
