//! Runs selectpay's shared handlers on AWS Lambda: configuration and secrets once per cold
//! start, SDK clients once per cold start, then one event at a time.

pub mod apigw;
mod function;
pub mod secrets;
mod ssm;

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::{Value, json};

use selectpay_app::config::Config;
use selectpay_app::sweep::{SweepAction, SweepOptions};
use selectpay_app::{App, SystemClock};
use selectpay_aws::{DynamoStore, SesMailer, dynamodb_client, load_sdk_config, ses_client};
use selectpay_domain::render::Templates;
use selectpay_worldpay::WorldPayRemoteAdmin;

pub use function::Function;
pub use lambda_runtime::Error;

/// The schedule's function may run 300 s; stop taking new agreements well before.
const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(240);
const SWEEP_PAGE: std::num::NonZeroUsize = std::num::NonZeroUsize::new(100).unwrap();

pub async fn run(function: Function) -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .init();
    let app = Arc::new(cold_start(function).await?);
    match function {
        Function::PurchaseToken | Function::Callback => {
            lambda_runtime::run(service_fn(|event: LambdaEvent<ApiGatewayV2httpRequest>| {
                let app = Arc::clone(&app);
                async move { Ok::<_, Error>(apigw::handle_event(&app, event.payload).await) }
            }))
            .await
        }
        Function::FuturePaySweep => {
            lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
                let app = Arc::clone(&app);
                async move { sweep(&app).await }
            }))
            .await
        }
    }
}

async fn cold_start(function: Function) -> Result<App, Error> {
    let sdk = load_sdk_config().await;
    let parameters = ssm::SsmParameters(aws_sdk_ssm::Client::new(&sdk));
    let env: HashMap<String, String> = std::env::vars().collect();
    let env = secrets::resolve(env, &parameters, function.secrets()).await?;
    let config = Config::load(|name| env.get(name).cloned(), None)?.config;
    function.check(&config)?;
    let table = env
        .get("SELECTPAY_TABLE_NAME")
        .ok_or("SELECTPAY_TABLE_NAME is not set")?;
    let store = DynamoStore::new(dynamodb_client(&sdk), table.clone());
    let mailer = SesMailer::new(ses_client(&sdk), config.sender_email.clone());
    Ok(App::new(
        config,
        Templates::builtin(),
        Arc::new(store),
        Arc::new(mailer),
        Arc::new(SystemClock),
    ))
}

/// Cancels overdue FuturePay agreements (when remote administration is configured) and
/// redelivers mail. Safe when the schedule delivers the same event twice or two runs
/// overlap: each agreement is claimed before it is cancelled.
async fn sweep(app: &App) -> Result<Value, Error> {
    let Some(admin) = &app.config().remote_admin else {
        let mail = app.redeliver_stale_mail().await?;
        return Ok(json!({ "mailRedelivered": mail.sent, "mailFailed": mail.failed }));
    };
    let remote = WorldPayRemoteAdmin::new(
        admin.url.clone(),
        admin.installation_id.clone(),
        admin.password.clone(),
    )?;
    let summary = app
        .sweep(
            SweepAction::Cancel(&remote),
            &SweepOptions {
                now: time::OffsetDateTime::now_utc(),
                budget: SWEEP_BUDGET,
                page_size: SWEEP_PAGE,
            },
        )
        .await?;
    Ok(serde_json::to_value(summary)?)
}
