//! The cold start as the functions run it: the process environment with `_PARAM` names,
//! secrets from a parameter store, then the App from the one builder, here on the embedded
//! store (on AWS, DynamoDB and SES are the only difference).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use selectpay_app::App;
use selectpay_domain::ids::FuturePayId;
use selectpay_embedded::{OutboxMailer, SqliteStore};
use selectpay_lambda::secrets::{ParameterStore, SecretsError};
use selectpay_lambda::{Deployment, Function};
use selectpay_worldpay::fake::FakeRemoteAdmin;

/// The deployment's App on an in-memory store, mailing to a temporary outbox (kept as long
/// as the returned folder).
fn embedded_app(deployment: Deployment) -> (App, tempfile::TempDir) {
    let outbox = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(outbox.path(), deployment.config.sender_email.clone());
    let app = deployment
        .app(
            Arc::new(SqliteStore::in_memory().unwrap()),
            Arc::new(mailer),
        )
        .unwrap();
    (app, outbox)
}

/// SSM as the template sets it up: SecureStrings by name; records what was asked for.
#[derive(Default)]
struct Parameters {
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl ParameterStore for Parameters {
    async fn decrypted(&self, names: &[String]) -> Result<HashMap<String, String>, SecretsError> {
        self.asked.lock().unwrap().extend(names.iter().cloned());
        Ok(names
            .iter()
            .map(|name| (name.clone(), format!("secret-of{}", name.replace('/', "-"))))
            .collect())
    }
}

/// The variables the template gives every function, plus `extra`.
fn environment(extra: &[(&str, &str)]) -> HashMap<String, String> {
    [
        ("SELECTPAY_MODE", "test"),
        ("SELECTPAY_INSTALLATION_ID", "38290"),
        ("SELECTPAY_PUBLIC_BASE_URL", "https://shop.example"),
        ("SELECTPAY_MERCHANT_EMAIL", "merchant@shop.example"),
        ("SELECTPAY_SENDER_EMAIL", "orders@shop.example"),
        ("SELECTPAY_OPERATOR_EMAIL", "operator@shop.example"),
        ("SELECTPAY_TABLE_NAME", "selectpay"),
        (
            "SELECTPAY_CALLBACK_PASSWORD_PARAM",
            "/selectpay/callback-password",
        ),
        ("SELECTPAY_API_KEY_PARAM", "/selectpay/api-key"),
        ("SELECTPAY_MD5_SECRET_PARAM", "/selectpay/md5-secret"),
        (
            "SELECTPAY_REMOTE_ADMIN_PASSWORD_PARAM",
            "/selectpay/remote-admin-password",
        ),
    ]
    .iter()
    .chain(extra)
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

#[tokio::test]
async fn the_sweep_function_owns_a_remote_admin_client_with_the_parameter_password() {
    let fake = FakeRemoteAdmin::start().await;
    let env = environment(&[
        ("SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID", "99999"),
        ("SELECTPAY_REMOTE_ADMIN_URL", fake.url()),
    ]);
    let parameters = Parameters::default();
    let deployment = Deployment::from_env(Function::FuturePaySweep, env, &parameters)
        .await
        .unwrap();
    assert_eq!(deployment.table, "selectpay");
    assert_eq!(
        *parameters.asked.lock().unwrap(),
        ["/selectpay/remote-admin-password"],
        "the sweep reads only its own secret"
    );
    let (app, _outbox) = embedded_app(deployment);

    let remote = app
        .remote_admin()
        .expect("remote administration configured");
    remote
        .cancel_agreement(&FuturePayId::parse("4815162342").unwrap())
        .await
        .unwrap();
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].field("instId"), Some("99999"));
    assert_eq!(
        requests[0].field("authPW"),
        Some("secret-of-selectpay-remote-admin-password")
    );
}

#[tokio::test]
async fn the_callback_function_needs_its_password_and_has_no_remote_admin() {
    let parameters = Parameters::default();
    let deployment = Deployment::from_env(Function::Callback, environment(&[]), &parameters)
        .await
        .unwrap();
    assert_eq!(
        *parameters.asked.lock().unwrap(),
        ["/selectpay/callback-password"]
    );
    let (app, _outbox) = embedded_app(deployment);
    assert!(app.remote_admin().is_none());

    let mut env = environment(&[]);
    env.remove("SELECTPAY_CALLBACK_PASSWORD_PARAM");
    let refused = Deployment::from_env(Function::Callback, env, &Parameters::default()).await;
    let error = refused.err().expect("no callback password").to_string();
    assert!(error.contains("SELECTPAY_CALLBACK_PASSWORD"), "{error}");
}
