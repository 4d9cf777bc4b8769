//! `selectpay carts --stale`: carts sent to Opayo whose shopper has not come back with a
//! result after `SELECTPAY_OPAYO_STALE_MINUTES`, on the embedded store or a stack's table;
//! `--dismiss` takes one off the list when Opayo has no payment for it.

use std::num::NonZeroUsize;
use std::process::ExitCode;

use selectpay_app::carts::awaiting_cart_json;
use selectpay_domain::ids::CartId;
use time::OffsetDateTime;

use crate::command_store::StoreArgs;
use crate::local::CliResult;
use crate::sweep::parse_time;

/// More than anyone reads in a terminal; the oldest come first.
const LISTED: NonZeroUsize = NonZeroUsize::new(1000).unwrap();

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true)))]
pub struct CartsArgs {
    /// Carts sent to Opayo with no result for longer than SELECTPAY_OPAYO_STALE_MINUTES.
    #[arg(long, group = "what")]
    stale: bool,
    /// Stop listing this cart as stale: Opayo has no payment for it (the shopper gave up).
    #[arg(long, group = "what", value_name = "CART_ID")]
    dismiss: Option<String>,
    /// As if it were this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `--stale`: a JSON array, oldest first: cart id, when it was sent, amount and currency.
/// `--dismiss`: exits 1 for a cart that was not awaiting its shopper.
pub async fn run(args: CartsArgs) -> CliResult {
    let (app, _) = args.store.open().await?;
    if let Some(cart_id) = &args.dismiss {
        let cart_id = CartId::parse(cart_id).map_err(|e| format!("cart id {e}"))?;
        if app.give_up_on_cart(&cart_id).await? {
            println!("cart {cart_id}: no longer listed as stale");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("cart {cart_id} is not awaiting its shopper (unknown, or a result came)");
        return Ok(ExitCode::FAILURE);
    }
    let now = args.now.unwrap_or_else(OffsetDateTime::now_utc);
    let carts = app.stale_carts(now, LISTED).await?;
    let listed: Vec<_> = carts.iter().map(awaiting_cart_json).collect();
    println!("{}", serde_json::to_string_pretty(&listed)?);
    Ok(ExitCode::SUCCESS)
}
