//! `selectpay simulate`: plays the gateway against a running server.

use std::process::ExitCode;
use std::sync::Arc;

use clap::ValueEnum;
use encoding_rs::Encoding;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use selectpay_app::config::{Config, DevDefaults};
use selectpay_domain::settings::Mode;
use selectpay_worldpay::gateway_simulator::{Action, SimulatedPayment, encode_form};

use crate::local::CliResult;
use crate::simulate_cart::CartApi;
use crate::simulate_report::{Reply, Report};

#[derive(Clone, Copy, ValueEnum)]
enum ActionArg {
    Pay,
    Cancel,
}

/// `simulate pay|cancel [cartId]` plays WorldPay; `simulate opayo …` the browser back from
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
    /// The cart to report on; without one, a fresh cart is bought through the purchase API
    /// first (with a FuturePay plan when --future-pay-id is given).
    cart_id: Option<String>,
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
    /// Callback password to send; `--password ''` sends none, as a browser-delivered backup
    /// (a claim) does.
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
    /// Print the replies and the cart afterwards as one JSON document.
    #[arg(long)]
    json: bool,
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
    let api = CartApi {
        client: &client,
        server: &server,
        config: &config,
    };
    let (cart_id, created) = match &args.cart_id {
        Some(cart_id) => (cart_id.clone(), false),
        None => (
            api.buy(&args.name, &args.email, args.future_pay_id.is_some())
                .await?,
            true,
        ),
    };
    let cart = api.cart(&cart_id).await?;
    if args.future_pay_id.is_some()
        && let Some(cart) = &cart
        && cart["futurePay"] != serde_json::Value::Bool(true)
    {
        return Err(format!(
            "cart {cart_id} sold no FuturePay plan: --future-pay-id needs a cart bought with \
             `futurePay` (or no cart id, to buy one)"
        )
        .into());
    }
    let terms = cart_terms(
        cart.as_ref(),
        &cart_id,
        &server,
        &args.amount,
        &args.currency,
    )?;
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
        cart_id: cart_id.clone(),
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
                // The label as given: WorldPay says ISO-8859-1, which encoding_rs names
                // windows-1252, and the server must read the label WorldPay sends.
                format!(
                    "application/x-www-form-urlencoded; charset={}",
                    args.charset.trim()
                ),
            )
            .body(body)
    });
    let replies = post_all(request, args.repeat.max(1), args.concurrency.max(1)).await?;
    let report = Report {
        cart: api.cart(&cart_id).await?,
        cart_id,
        created,
        replies,
    };
    print_report(&report, &server, args.json)
}

/// Prints the report as text or JSON; success if every reply was.
pub(crate) fn print_report(report: &Report, server: &str, json: bool) -> CliResult {
    let all_ok = report.replies.iter().all(|r| r.status.is_success());
    if json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        if report.created {
            println!("bought cart {} through {server}/purchase", report.cart_id);
        }
        print!("{}", report.text());
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
    Ok((config, server, selectpay_worldpay::http_client::client()))
}

/// The cart's amount, currency and description from the server, unless overridden.
pub(crate) fn cart_terms(
    cart: Option<&serde_json::Value>,
    cart_id: &str,
    server: &str,
    amount: &Option<String>,
    currency: &Option<String>,
) -> Result<CartTerms, Box<dyn std::error::Error + Send + Sync>> {
    let from_cart = |field: &str| cart.and_then(|c| c[field].as_str()).map(str::to_owned);
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

/// Posts the callback `repeat` times, `concurrency` at once; the replies in order.
pub(crate) async fn post_all(
    request: Arc<reqwest::RequestBuilder>,
    repeat: usize,
    concurrency: usize,
) -> Result<Vec<Reply>, Box<dyn std::error::Error + Send + Sync>> {
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
            let outcome = Reply::outcome_of(response.headers());
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(Reply {
                number,
                status,
                outcome,
                body,
            })
        });
    }
    let mut replies = Vec::with_capacity(repeat);
    while let Some(joined) = posts.join_next().await {
        replies.push(joined??);
    }
    replies.sort_by_key(|r| r.number);
    Ok(replies)
}
