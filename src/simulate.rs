//! `selectpay simulate`: plays the gateway against a running server.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use clap::ValueEnum;
use encoding_rs::Encoding;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use selectpay_app::config::{Config, DevDefaults};
use selectpay_app::gateway_simulator::{Action, SimulatedPayment, encode_form};
use selectpay_domain::settings::Mode;

use crate::local::CliResult;

#[derive(Clone, Copy, ValueEnum)]
enum ActionArg {
    Pay,
    Cancel,
}

/// `simulate pay|cancel <cartId>` plays WorldPay; `simulate opayo …` the browser back from
/// Opayo.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SimulateCommand {
    #[command(subcommand)]
    opayo: Option<OpayoCommand>,
    #[command(flatten)]
    worldpay: Option<SimulateArgs>,
}

#[derive(clap::Subcommand)]
enum OpayoCommand {
    /// Play the shopper's browser returning from Opayo Form with a result.
    Opayo(crate::simulate_opayo::OpayoArgs),
}

impl SimulateCommand {
    pub async fn run(self) -> CliResult {
        match (self.opayo, self.worldpay) {
            (Some(OpayoCommand::Opayo(args)), _) => crate::simulate_opayo::run(args).await,
            (None, Some(args)) => run(args).await,
            (None, None) => Err("say pay, cancel or opayo".into()),
        }
    }
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    #[arg(value_enum)]
    action: ActionArg,
    cart_id: String,
    /// The selectpay server to post to.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    server: String,
    /// Post the identical response this many times (a gateway retry, a refresh, a replay).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// How many of the repeats are in flight at once.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Charset of the body: ISO-8859-1 (WorldPay's default), UTF-8, windows-1252, …
    #[arg(long, default_value = "ISO-8859-1")]
    charset: String,
    /// Send the fields as a query string with GET instead of a form POST.
    #[arg(long)]
    get: bool,
    /// Amount to report instead of the cart's (to try tampering).
    #[arg(long)]
    amount: Option<String>,
    /// Currency to report instead of the cart's.
    #[arg(long)]
    currency: Option<String>,
    /// `testMode` to report; by default what the server's mode expects.
    #[arg(long)]
    test_mode: Option<String>,
    /// Callback password to send; `--password ''` sends none.
    #[arg(long)]
    password: Option<String>,
    /// Installation id to report instead of ours.
    #[arg(long)]
    installation: Option<String>,
    #[arg(long)]
    trans_id: Option<String>,
    /// Report the payment as setting up this FuturePay agreement (`futurePayId`).
    #[arg(long)]
    future_pay_id: Option<String>,
    #[arg(long, default_value = "WorldPay Test")]
    name: String,
    #[arg(long, default_value = "demo@uk.worldpay.com")]
    email: String,
}

pub(crate) struct CartTerms {
    pub(crate) amount: String,
    currency: String,
    description: String,
}

pub async fn run(args: SimulateArgs) -> CliResult {
    let charset = Encoding::for_label(args.charset.as_bytes())
        .ok_or_else(|| format!("unknown charset {}", args.charset))?;
    let (config, server, client) = setup(&args.server)?;
    let terms = cart_terms(
        &client,
        &server,
        &config,
        &args.cart_id,
        &args.amount,
        &args.currency,
    )
    .await?;
    let payment = SimulatedPayment {
        action: match args.action {
            ActionArg::Pay => Action::Pay,
            ActionArg::Cancel => Action::Cancel,
        },
        installation_id: args
            .installation
            .clone()
            .unwrap_or_else(|| config.settings.installation_id.to_string()),
        callback_password: match &args.password {
            Some(password) if password.is_empty() => None,
            Some(password) => Some(password.clone()),
            None => config
                .settings
                .callback_password
                .as_ref()
                .map(|p| p.expose().to_owned()),
        },
        cart_id: args.cart_id.clone(),
        amount: terms.amount,
        currency: terms.currency,
        test_mode: args.test_mode.clone().unwrap_or_else(|| {
            match config.settings.mode {
                Mode::Test => "100",
                Mode::Live => "0",
            }
            .to_owned()
        }),
        trans_id: args.trans_id.clone().unwrap_or_else(|| {
            (time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000).to_string()
        }),
        trans_time_ms: (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64,
        name: args.name.clone(),
        email: args.email.clone(),
        description: terms.description,
        future_pay_id: args.future_pay_id.clone(),
    };
    let body = encode_form(&payment.fields(), charset);
    let request = Arc::new(if args.get {
        client.get(format!(
            "{server}/callback?{}",
            String::from_utf8_lossy(&body)
        ))
    } else {
        client
            .post(format!("{server}/callback"))
            .header(
                "content-type",
                format!(
                    "application/x-www-form-urlencoded; charset={}",
                    charset.name()
                ),
            )
            .body(body)
    });
    post_all(request, args.repeat.max(1), args.concurrency.max(1)).await
}

/// What every simulation starts from: the configuration as the server's (from the same
/// environment and defaults), the server's base URL and a client.
pub(crate) fn setup(
    server: &str,
) -> Result<(Config, String, reqwest::Client), Box<dyn std::error::Error + Send + Sync>> {
    let config = Config::load(
        |name| std::env::var(name).ok(),
        Some(&DevDefaults {
            public_base_url: server.to_owned(),
        }),
    )?
    .config;
    let server = server.trim_end_matches('/').to_owned();
    Ok((config, server, reqwest::Client::new()))
}

/// The cart's amount, currency and description from the server, unless overridden.
pub(crate) async fn cart_terms(
    client: &reqwest::Client,
    server: &str,
    config: &Config,
    cart_id: &str,
    amount: &Option<String>,
    currency: &Option<String>,
) -> Result<CartTerms, Box<dyn std::error::Error + Send + Sync>> {
    let mut request = client.get(format!("{server}/carts/{cart_id}"));
    if let Some(key) = &config.api_key {
        request = request.bearer_auth(key.expose());
    }
    let cart: Option<serde_json::Value> = match request.send().await {
        Ok(response) if response.status().is_success() => Some(response.json().await?),
        _ => None,
    };
    let from_cart = |field: &str| {
        cart.as_ref()
            .and_then(|c| c[field].as_str())
            .map(str::to_owned)
    };
    let pick = |given: &Option<String>, field: &str| {
        given.clone().or_else(|| from_cart(field)).ok_or_else(|| {
            format!("cart {cart_id} not found on {server}: give --amount and --currency")
        })
    };
    Ok(CartTerms {
        amount: pick(amount, "amount")?,
        currency: pick(currency, "currency")?,
        description: from_cart("description").unwrap_or_else(|| "Test Item".to_owned()),
    })
}

pub(crate) async fn post_all(
    request: Arc<reqwest::RequestBuilder>,
    repeat: usize,
    concurrency: usize,
) -> CliResult {
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut posts = JoinSet::new();
    for number in 1..=repeat {
        let request = request
            .try_clone()
            .ok_or("the request body cannot be repeated")?;
        let permits = Arc::clone(&permits);
        posts.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let response = request.send().await?;
            let status = response.status();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((number, status, body))
        });
    }
    let mut statuses = BTreeMap::<String, usize>::new();
    let mut bodies = std::collections::HashSet::new();
    let mut all_ok = true;
    while let Some(joined) = posts.join_next().await {
        let (number, status, body) = joined??;
        println!("#{number}: {status}");
        all_ok &= status.is_success();
        *statuses.entry(status.to_string()).or_default() += 1;
        bodies.insert(body);
    }
    for (status, count) in &statuses {
        println!("{count} × {status}");
    }
    println!("distinct reply bodies: {}", bodies.len());
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
