//! `selectpay serve`: the handlers behind a local HTTP server, on the embedded store and
//! outbox or on DynamoDB and SES. Only the store and the mailer differ between the two.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use selectpay_app::carts::RoutedCartId;
use selectpay_app::config::{Config, DevDefaults};
use selectpay_app::{App, CallbackOutcome, MAX_REQUEST_BYTES, Stores};
use selectpay_aws::{DynamoStore, SesMailer, create_table_if_missing, dynamodb_client, ses_client};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::ports::{Inspect, Mailer};
use selectpay_domain::settings::Mode;
use selectpay_embedded::OutboxMailer;

use crate::dashboard::{self, Dashboard, dashboard};
use crate::dashboard_access::{DashboardAccess, require_api_key};
use crate::local::{self, CliResult, database_path, outbox_path};
use crate::{demo_admin, http_server};

/// The header in which the local server tells `selectpay simulate` what a callback did.
pub const OUTCOME_HEADER: &str = "x-selectpay-outcome";

/// How often the server retries mail whose first delivery failed.
const REDELIVERY_INTERVAL: Duration = Duration::from_secs(30);

/// The DynamoDB table when neither `--table` nor `SELECTPAY_TABLE_NAME` names one.
pub(crate) const DEFAULT_TABLE: &str = "selectpay";

/// Where the server keeps carts, payments and deliveries, and how it sends mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    /// SQLite in --data-dir; mail is written to its outbox/ folder as .eml files.
    Sqlite,
    /// The DynamoDB table --table, with mail sent through SES; endpoints, region and
    /// credentials come from the usual AWS variables (AWS_ENDPOINT_URL_DYNAMODB,
    /// AWS_ENDPOINT_URL_SESV2, AWS_REGION, ...).
    Dynamodb,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Folder for the SQLite database and the outbox of sent mail (with --store sqlite).
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Where carts, payments and mail go.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    /// The DynamoDB table (with --store dynamodb).
    #[arg(long, env = "SELECTPAY_TABLE_NAME", default_value = DEFAULT_TABLE)]
    table: String,
    /// Create the table like the deployed one if it does not exist yet, before serving
    /// (with --store dynamodb).
    #[arg(long)]
    create_table: bool,
    /// Answer WorldPay's remote administration (`Y,Agreement cancelled`) at
    /// /fake-remote-admin, for trying the sweep (test mode only).
    #[arg(long)]
    fake_remote_admin: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            port: 3000,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: PathBuf::from(local::DEFAULT_DATA_DIR),
            store: StoreKind::Sqlite,
            table: DEFAULT_TABLE.to_owned(),
            create_table: false,
            fake_remote_admin: false,
        }
    }
}

pub async fn run(args: ServeArgs) -> CliResult {
    if args.create_table && args.store != StoreKind::Dynamodb {
        return Err("--create-table needs --store dynamodb".into());
    }
    let listener = TcpListener::bind((args.host, args.port)).await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let loaded = Config::load(
        |name| std::env::var(name).ok(),
        Some(&DevDefaults {
            public_base_url: base_url.clone(),
        }),
    )?;
    let config = loaded.config;
    if args.fake_remote_admin && config.settings.mode != Mode::Test {
        return Err("--fake-remote-admin is for test mode only".into());
    }
    let templates = local::templates()?;
    let backend = Backend::open(
        args.store,
        &args.data_dir,
        &args.table,
        args.create_table,
        &config.sender_email,
    )
    .await?;
    let app = Arc::new(
        App::builder(config.clone())
            .templates(templates)
            .build(backend.stores, backend.mailer)?,
    );

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
         \x20 store:             {}\n\
         \x20 outbox:            {}\n",
        config.settings.mode,
        config.settings.installation_id,
        shown(config.settings.callback_password.as_ref()),
        shown(config.api_key.as_ref()),
        backend.store_at,
        backend.mail_to,
    );
    if !loaded.defaulted.is_empty() {
        banner += &format!(
            "  development defaults in use for: {}\n",
            loaded.defaulted.join(", ")
        );
    }
    if args.fake_remote_admin {
        banner += &format!(
            "  fake remote admin: {base_url}{path}\n\
             \x20   sweep with SELECTPAY_REMOTE_ADMIN_URL={base_url}{path} \
             SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID=1 SELECTPAY_REMOTE_ADMIN_PASSWORD=fake\n",
            path = demo_admin::PATH
        );
    }
    banner += &format!(
        "next: open {base_url}/ in a browser, then in another terminal try\n\
         \x20 cargo run -- simulate pay --server {base_url}\n"
    );
    // A closed stdout (piped into `head`, say) must not stop the server.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), banner.as_bytes());

    let access = if args.host.is_loopback() {
        DashboardAccess::Open
    } else {
        DashboardAccess::KeyRequired(config.api_key.clone().map(Arc::new))
    };
    tokio::spawn(redeliver_forever(Arc::clone(&app)));
    let dashboard_state = Dashboard {
        app: Arc::clone(&app),
        inspect: backend.inspect,
    };
    let mut router = Router::new()
        .route("/", get(dashboard))
        .route("/carts/{cart_id}", get(cart))
        .route_layer(middleware::from_fn_with_state(access, require_api_key));
    if args.fake_remote_admin {
        router = router.route(demo_admin::PATH, post(demo_admin::cancel_agreement));
    }
    http_server::serve(
        listener,
        router.fallback(forward).with_state(dashboard_state),
    )
    .await?;
    app.finish_sends().await;
    Ok(ExitCode::SUCCESS)
}

/// `GET /carts/{cartId}`: the cart page for a browser, the JSON API for everyone else.
async fn cart(
    State(state): State<Dashboard>,
    Path(cart_id): Path<String>,
    mut request: Request,
) -> Response {
    if dashboard::wants_page(request.headers()) {
        dashboard::cart_page(&state, &cart_id).await
    } else {
        request.extensions_mut().insert(RoutedCartId(cart_id));
        forward(State(state.app), request).await
    }
}

/// What the server (or `selectpay replay`) keeps its records in and sends its mail through,
/// and where those are, for the banner.
pub(crate) struct Backend {
    pub(crate) stores: Stores,
    pub(crate) inspect: Arc<dyn Inspect>,
    pub(crate) mailer: Arc<dyn Mailer>,
    store_at: String,
    mail_to: String,
}

impl Backend {
    /// `data_dir` for SQLite; `table` (created first if `create_table`) for DynamoDB.
    pub(crate) async fn open(
        kind: StoreKind,
        data_dir: &std::path::Path,
        table: &str,
        create_table: bool,
        sender: &EmailAddress,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match kind {
            StoreKind::Sqlite => {
                let outbox = outbox_path(data_dir);
                let store = Arc::new(local::open_store(data_dir)?);
                Ok(Self {
                    stores: Stores::from(Arc::clone(&store)),
                    inspect: store,
                    mailer: Arc::new(OutboxMailer::new(outbox.clone(), sender.clone())),
                    store_at: format!("SQLite {}", database_path(data_dir).display()),
                    mail_to: outbox.display().to_string(),
                })
            }
            StoreKind::Dynamodb => {
                let sdk = selectpay_aws::load_sdk_config().await;
                let region = sdk.region().map(ToString::to_string);
                let region = region.as_deref();
                let dynamodb = dynamodb_client(&sdk);
                if create_table {
                    create_table_if_missing(&dynamodb, table).await?;
                }
                let ses_at = endpoint(
                    "AWS_ENDPOINT_URL_SESV2",
                    sdk.endpoint_url(),
                    "email",
                    region,
                );
                let mail_to = match std::env::var("SELECTPAY_SES_STORE_URL") {
                    Ok(sent) => format!("SES at {ses_at} (sent mail: {sent})"),
                    Err(_) => format!("SES at {ses_at}"),
                };
                let store = Arc::new(DynamoStore::new(dynamodb, table.to_owned()));
                Ok(Self {
                    stores: Stores::from(Arc::clone(&store)),
                    inspect: store,
                    mailer: Arc::new(SesMailer::new(ses_client(&sdk), sender.clone())),
                    store_at: format!(
                        "DynamoDB table {} at {}",
                        table,
                        endpoint(
                            "AWS_ENDPOINT_URL_DYNAMODB",
                            sdk.endpoint_url(),
                            "dynamodb",
                            region
                        )
                    ),
                    mail_to,
                })
            }
        }
    }
}

/// Where the SDK sends a service's calls, for people reading the banner: the service's own
/// endpoint variable, else the endpoint for all services, else the region's public one.
fn endpoint(variable: &str, all: Option<&str>, service: &str, region: Option<&str>) -> String {
    std::env::var(variable)
        .ok()
        .or_else(|| all.map(str::to_owned))
        .unwrap_or_else(|| match region {
            Some(region) => format!("https://{service}.{region}.amazonaws.com"),
            None => format!("{service} (no AWS region set)"),
        })
}

/// A development server prints its secrets so a person can use them.
fn shown(secret: Option<&selectpay_domain::secret::Secret>) -> &str {
    secret.map_or("(not set)", |s| s.expose())
}

/// Hands a request to the shared handlers, as the Lambda adapter does on AWS, and shows a
/// callback's outcome in a header (which only the local server sends).
async fn forward(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match http_server::read_body(body, MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            let mut response = Response::new(Body::from(error.to_string()));
            *response.status_mut() = error.status();
            return response;
        }
    };
    let mut response = app.handle(http::Request::from_parts(parts, body)).await;
    if let Some(CallbackOutcome(label)) = response.extensions_mut().remove::<CallbackOutcome>()
        && let Ok(value) = http::HeaderValue::from_str(&label)
    {
        response.headers_mut().insert(OUTCOME_HEADER, value);
    }
    response.map(Body::from)
}

async fn redeliver_forever(app: Arc<App>) {
    let mut interval = tokio::time::interval(REDELIVERY_INTERVAL);
    loop {
        interval.tick().await;
        if let Err(error) = app.redeliver_pending_mail(100).await {
            tracing::warn!(%error, "mail redelivery failed");
        }
    }
}
