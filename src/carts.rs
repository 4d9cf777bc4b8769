//! `selectpay carts --stale`: carts sent to Opayo whose shopper has not come back with a
//! result after `SELECTPAY_OPAYO_STALE_MINUTES`, on the embedded store or a stack's table.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use selectpay_app::App;
use selectpay_app::carts::awaiting_cart_json;
use time::OffsetDateTime;

use crate::local::{self, CliResult};
use crate::serve::{Backend, DEFAULT_TABLE, StoreKind};
use crate::sweep::{local_config, parse_time};

/// More than anyone reads in a terminal; the oldest come first.
const LISTED: NonZeroUsize = NonZeroUsize::new(1000).unwrap();

#[derive(clap::Args)]
pub struct CartsArgs {
    /// Carts sent to Opayo with no result for longer than SELECTPAY_OPAYO_STALE_MINUTES.
    #[arg(long, required = true)]
    stale: bool,
    /// As if it were this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    /// The embedded store in --data-dir, or a deployed stack's DynamoDB table --table.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    #[arg(long, env = "SELECTPAY_TABLE_NAME", default_value = DEFAULT_TABLE)]
    table: String,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

/// A JSON array, oldest first: cart id, when it was sent, amount and currency.
pub async fn run(args: CartsArgs) -> CliResult {
    debug_assert!(args.stale, "clap requires --stale");
    let config = local_config()?;
    let backend = Backend::open(
        args.store,
        &args.data_dir,
        &args.table,
        false,
        &config.sender_email,
    )
    .await?;
    let app = App::builder(config)
        .templates(local::templates()?)
        .build(backend.stores, backend.mailer)?;
    let now = args.now.unwrap_or_else(OffsetDateTime::now_utc);
    let carts = app.stale_carts(now, LISTED).await?;
    let listed: Vec<_> = carts.iter().map(awaiting_cart_json).collect();
    println!("{}", serde_json::to_string_pretty(&listed)?);
    Ok(ExitCode::SUCCESS)
}
