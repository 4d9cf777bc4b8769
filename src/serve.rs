//! `selectpay serve`: the handlers behind a local HTTP server on the embedded store.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use tokio::net::TcpListener;

use selectpay_app::config::{Config, DevDefaults};
use selectpay_app::{App, MAX_REQUEST_BYTES, SystemClock};
use selectpay_embedded::OutboxMailer;

use crate::dashboard::dashboard;
use crate::local::{self, CliResult, outbox_path};

/// How often the server retries mail whose first delivery failed.
const REDELIVERY_INTERVAL: Duration = Duration::from_secs(30);

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Folder for the SQLite database and the outbox of sent mail.
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            port: 3000,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: PathBuf::from(local::DEFAULT_DATA_DIR),
        }
    }
}

pub async fn run(args: ServeArgs) -> CliResult {
    let listener = TcpListener::bind((args.host, args.port)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let loaded = Config::load(
        |name| std::env::var(name).ok(),
        Some(&DevDefaults {
            public_base_url: base_url.clone(),
        }),
    )?;
    let config = loaded.config;
    let outbox = outbox_path(&args.data_dir);
    let app = Arc::new(App::new(
        config.clone(),
        local::templates()?,
        Arc::new(local::open_store(&args.data_dir)?),
        Arc::new(OutboxMailer::new(
            outbox.clone(),
            config.sender_email.clone(),
        )),
        Arc::new(SystemClock),
    ));

    let mut banner = format!(
        "selectpay listening on {base_url}\n\
         \x20 dashboard:         {base_url}/\n\
         \x20 purchase API:      POST {base_url}/purchase\n\
         \x20 cart API:          GET  {base_url}/carts/{{cartId}}\n\
         \x20 callback URL:      {base_url}/callback\n\
         \x20 mode:              {}\n\
         \x20 installation id:   {}\n\
         \x20 callback password: {}\n\
         \x20 API key:           {}\n\
         \x20 outbox:            {}\n",
        config.settings.mode,
        config.settings.installation_id,
        shown(config.settings.callback_password.as_ref()),
        shown(config.api_key.as_ref()),
        outbox.display(),
    );
    if !loaded.defaulted.is_empty() {
        banner += &format!(
            "  development defaults in use for: {}\n",
            loaded.defaulted.join(", ")
        );
    }
    // A closed stdout (piped into `head`, say) must not stop the server.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), banner.as_bytes());

    tokio::spawn(redeliver_forever(Arc::clone(&app)));
    let router = Router::new()
        .route("/", get(dashboard))
        .fallback(forward)
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// A development server prints its secrets so a person can use them.
fn shown(secret: Option<&selectpay_domain::secret::Secret>) -> &str {
    secret.map_or("(not set)", |s| s.expose())
}

/// Hands a request to the shared handlers, as the Lambda adapter does on AWS.
async fn forward(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_REQUEST_BYTES).await else {
        let mut response = Response::new(Body::from("Payload Too Large"));
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return response;
    };
    app.handle(http::Request::from_parts(parts, body))
        .await
        .map(Body::from)
}

async fn redeliver_forever(app: Arc<App>) {
    let mut interval = tokio::time::interval(REDELIVERY_INTERVAL);
    loop {
        interval.tick().await;
        if let Err(error) = app
            .redeliver_pending_mail(time::Duration::seconds(60), 100)
            .await
        {
            tracing::warn!(%error, "mail redelivery failed");
        }
    }
}
