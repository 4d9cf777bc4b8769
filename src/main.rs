//! `selectpay`: the local server (on the embedded store, or on DynamoDB and SES), the
//! gateway simulator and inspection of what happened.

mod carts;
mod command_store;
mod dashboard;
mod dashboard_access;
mod demo_admin;
mod http_server;
mod local;
mod mail;
mod replay;
mod serve;
mod simulate;
mod simulate_cart;
mod simulate_opayo;
mod simulate_report;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "selectpay", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local server, on the embedded store unless --store dynamodb (what `cargo run` does).
    Serve(serve::ServeArgs),
    /// Play the gateway: post payment responses for a cart to a running server (WorldPay's
    /// callback, or the browser back from Opayo).
    Simulate(Box<simulate::SimulateCommand>),
    /// Cancel FuturePay agreements whose payment is overdue; redeliver pending mail.
    Sweep(sweep::SweepArgs),
    /// List unsent mail (pending and failed) as JSON; `mail resend ID` puts one back in line.
    Mail(mail::MailArgs),
    /// List FuturePay agreements with their state and due time, as JSON.
    Agreements(sweep::AgreementsArgs),
    /// Feed back callback data WorldPay kept (a Callback Failure Alert mail) or you saved (a
    /// form body), through the callback's own checks; prints the decision, --apply commits.
    Replay(replay::ReplayArgs),
    /// List carts sent to Opayo whose shopper never came back with a result (--stale), as
    /// JSON, oldest first; --dismiss one Opayo has no payment for.
    Carts(carts::CartsArgs),
    /// Show a cart, its payments and its mails as JSON, from the embedded store in --data-dir
    /// only (for a server on --store dynamodb, use its GET /carts/{cartId}).
    Cart {
        cart_id: String,
        #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    local::init_logging();
    let command = Cli::parse()
        .command
        .unwrap_or_else(|| Command::Serve(serve::ServeArgs::default()));
    let result = match command {
        Command::Serve(args) => serve::run(args).await,
        Command::Simulate(args) => args.run().await,
        Command::Sweep(args) => sweep::sweep(args).await,
        Command::Mail(args) => mail::run(args).await,
        Command::Agreements(args) => sweep::agreements(args).await,
        Command::Replay(args) => replay::run(args).await,
        Command::Carts(args) => carts::run(args).await,
        Command::Cart { cart_id, data_dir } => local::print_cart(&data_dir, &cart_id).await,
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("selectpay: {error}");
            ExitCode::FAILURE
        }
    }
}
