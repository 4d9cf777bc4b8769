//! Runs selectpay's shared handlers on AWS Lambda: configuration and secrets once per cold
//! start, SDK clients once per cold start, then one event at a time. The HTTP functions go
//! through `lambda_http` (API Gateway HTTP API and REST API, ALB); the sweep takes
//! EventBridge Scheduler's event as plain JSON.
//!
//! Each function has its own entry point ([`run_purchase_token`], [`run_callback`],
//! [`run_sweep`]), so each binary links only its own routes: the callback no purchase code,
//! the sweep no HTTP adapter, and only the sweep (feature `remote-admin`) WorldPay's client.

mod after_reply;
mod deployment;
mod function;
pub mod http;
pub mod secrets;
mod ssm;
mod warm_up;

use std::future::Future;
use std::sync::Arc;

use aws_types::SdkConfig;
use bytes::Bytes;
use lambda_http::request::LambdaRequest;
use lambda_runtime::layers::TracingLayer;
use lambda_runtime::tower::Service;
use lambda_runtime::{LambdaEvent, Runtime, service_fn};
use serde_json::Value;
use tracing_subscriber::filter::LevelFilter;

use selectpay_app::App;
use selectpay_app::sweep::{SweepAction, SweepOptions};
use selectpay_aws::{DynamoStore, SesMailer, dynamodb_client, lambda_sdk_config, ses_client};
use warm_up::WarmUp;

pub use deployment::Deployment;
pub use function::Function;
pub use lambda_runtime::Error;

/// `POST /purchase`, `GET /carts/{cartId}`.
pub async fn run_purchase_token() -> Result<(), Error> {
    serve_http(Function::PurchaseToken, |app, request| async move {
        app.handle_purchase_api(request).await
    })
    .await
}

/// `POST` and `GET /callback`, `GET /return/opayo`.
pub async fn run_callback() -> Result<(), Error> {
    serve_http(Function::Callback, |app, request| async move {
        app.handle_callbacks(request).await
    })
    .await
}

/// The scheduled sweep. Its whole cold start is init: no caller waits on its first event.
pub async fn run_sweep() -> Result<(), Error> {
    init_logging();
    let (sdk, deployment) = configure(Function::FuturePaySweep).await?;
    let store = dynamo_store(&sdk, deployment.table.clone());
    let app = Arc::new(assemble(&sdk, store, deployment)?);
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let app = Arc::clone(&app);
        async move { sweep(&app).await }
    }))
    .await
}

/// An HTTP function: its configuration checked, its warm-up started, then each event
/// through `route`; the mail an event committed goes out after its reply, before the runtime
/// asks for the next event.
async fn serve_http<Route, Routed>(function: Function, route: Route) -> Result<(), Error>
where
    Route: Fn(Arc<App>, ::http::Request<Bytes>) -> Routed + Copy + Send + Sync + 'static,
    Routed: Future<Output = ::http::Response<Bytes>> + Send + 'static,
{
    init_logging();
    let (sdk, deployment) = configure(function).await?;
    let warm_up = WarmUp::start(warm_up(sdk, deployment));
    let handler_warm_up = Arc::clone(&warm_up);
    let handler = service_fn(move |request: lambda_http::Request| {
        let warm_up = Arc::clone(&handler_warm_up);
        async move {
            let app = warm_up.app().await?;
            Ok::<_, Error>(http::handle(request, move |request| route(app, request)).await)
        }
    });
    let adapter = lambda_http::Adapter::from(handler);
    let events = service_fn(move |event: LambdaEvent<LambdaRequest>| {
        // `service_fn` handlers are always ready, so the clone needs no `poll_ready`.
        let mut adapter = adapter.clone();
        async move {
            http::refuse_undecodable_body(&event.payload)?;
            adapter.call(event).await
        }
    });
    Runtime::new(events)
        .layer(TracingLayer::new())
        .layer(after_reply::FinishSendsAfterReply::new(warm_up))
        .run()
        .await
}

/// Lambda's own logging controls: AWS_LAMBDA_LOG_FORMAT (the template's
/// LoggingConfig.LogFormat: JSON) and AWS_LAMBDA_LOG_LEVEL (its ApplicationLogLevel), as
/// `lambda_runtime`'s default subscriber reads them, but with a level filter instead of an
/// `EnvFilter`: no `RUST_LOG` directives, and no regex engine in the binary.
pub fn init_logging() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .ok()
        .and_then(|level| level.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let subscriber = tracing_subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_max_level(level);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    if json {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
}

/// What can stop a cold start, done before anything else: the SDK's settings from Lambda's
/// variables, the environment with its secrets resolved, and the configuration checked.
async fn configure(function: Function) -> Result<(SdkConfig, Deployment), Error> {
    let sdk = lambda_sdk_config()?;
    let parameters = ssm::SsmParameters::new(&sdk);
    let deployment =
        Deployment::from_env(function, std::env::vars().collect(), &parameters).await?;
    Ok((sdk, deployment))
}

/// The App on `store` and SES.
fn assemble(
    sdk: &SdkConfig,
    store: Arc<DynamoStore>,
    deployment: Deployment,
) -> Result<App, Error> {
    let mailer = SesMailer::new(ses_client(sdk), deployment.config.sender_email.clone());
    deployment.app(store, Arc::new(mailer))
}

fn dynamo_store(sdk: &SdkConfig, table: String) -> Arc<DynamoStore> {
    Arc::new(DynamoStore::new(dynamodb_client(sdk), table))
}

/// An HTTP function's clients, templates and App, built on blocking threads so the runtime
/// thread is free to ask for the first event. The store connection is opened as soon as its
/// client is there, but not waited for: the first event, which usually arrives before it is
/// open, would otherwise wait one more round trip; it takes the connection if it is open by
/// then and opens its own if not, and later events find it in the pool.
async fn warm_up(sdk: SdkConfig, deployment: Deployment) -> Result<App, Error> {
    let sdk = Arc::new(sdk);
    let store = {
        let (sdk, table) = (Arc::clone(&sdk), deployment.table.clone());
        tokio::task::spawn_blocking(move || dynamo_store(&sdk, table)).await?
    };
    let preconnect = Arc::clone(&store);
    tokio::spawn(async move { preconnect.open_connection().await });
    tokio::task::spawn_blocking(move || assemble(&sdk, store, deployment)).await?
}

/// Suspends overdue FuturePay agreements, cancels them at WorldPay when remote
/// administration is configured, and redelivers mail. Safe when the schedule delivers the
/// same event twice or two runs overlap: each agreement is claimed before it is cancelled.
async fn sweep(app: &App) -> Result<Value, Error> {
    let summary = sweep_once(app).await;
    // Lambda runs nothing once an invocation has returned: wait for the mail this run sent.
    app.finish_sends().await;
    summary
}

async fn sweep_once(app: &App) -> Result<Value, Error> {
    let summary = app
        .sweep(
            SweepAction::Enforce(app.remote_admin()),
            &SweepOptions::default(),
        )
        .await?;
    Ok(serde_json::to_value(summary)?)
}
