//! Runs selectpay's shared handlers on AWS Lambda: configuration and secrets once per cold
//! start, SDK clients once per cold start, then one event at a time. The HTTP functions go
//! through `lambda_http` (API Gateway HTTP API and REST API, ALB); the sweep takes
//! EventBridge Scheduler's event as plain JSON.

mod deployment;
mod function;
pub mod http;
pub mod secrets;
mod ssm;

use std::sync::Arc;

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::{Value, json};

use selectpay_app::App;
use selectpay_app::sweep::{SweepAction, SweepOptions};
use selectpay_aws::{DynamoStore, SesMailer, dynamodb_client, load_sdk_config, ses_client};

pub use deployment::Deployment;
pub use function::Function;
pub use lambda_runtime::Error;

pub async fn run(function: Function) -> Result<(), Error> {
    // Lambda's own logging controls: AWS_LAMBDA_LOG_FORMAT (the template's
    // LoggingConfig.LogFormat: JSON) and AWS_LAMBDA_LOG_LEVEL (its ApplicationLogLevel).
    lambda_runtime::tracing::init_default_subscriber();
    let app = Arc::new(cold_start(function).await?);
    match function {
        Function::PurchaseToken | Function::Callback => {
            lambda_http::run(service_fn(|request: lambda_http::Request| {
                let app = Arc::clone(&app);
                async move { Ok::<_, Error>(http::handle(&app, request).await) }
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
    let deployment =
        Deployment::from_env(function, std::env::vars().collect(), &parameters).await?;
    let store = DynamoStore::new(dynamodb_client(&sdk), deployment.table.clone());
    let mailer = SesMailer::new(ses_client(&sdk), deployment.config.sender_email.clone());
    deployment.app(Arc::new(store), Arc::new(mailer))
}

/// Cancels overdue FuturePay agreements (when remote administration is configured) and
/// redelivers mail. Safe when the schedule delivers the same event twice or two runs
/// overlap: each agreement is claimed before it is cancelled.
async fn sweep(app: &App) -> Result<Value, Error> {
    let summary = sweep_once(app).await;
    // Lambda runs nothing once an invocation has returned: wait for the mail this run sent.
    app.finish_sends().await;
    summary
}

async fn sweep_once(app: &App) -> Result<Value, Error> {
    let Some(remote) = app.remote_admin() else {
        let mail = app.redeliver_due_mail().await?;
        return Ok(json!({
            "mailRedelivered": mail.sent,
            "mailFailed": mail.failed,
            "mailParked": mail.parked,
        }));
    };
    let summary = app
        .sweep(SweepAction::Cancel(remote), &SweepOptions::default())
        .await?;
    Ok(serde_json::to_value(summary)?)
}
