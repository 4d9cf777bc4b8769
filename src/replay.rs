//! `selectpay replay`: callback data WorldPay mailed (a Callback Failure Alert saved as
//! `.eml`), a saved form body or a stored delivery, shown, then decided like a callback on
//! the embedded store or on a deployed stack's DynamoDB table.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use selectpay_app::Replayed;
use selectpay_domain::callback::parse_form;
use selectpay_domain::replay::summary::{describe, printable};
use selectpay_domain::replay::{
    CallbackData, MAX_ALERT_BYTES, parse_failure_alert, read_form_file,
};

use crate::command_store::StoreArgs;
use crate::local::CliResult;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("data").required(true)))]
pub struct ReplayArgs {
    /// A "Callback Failure Alert from WorldPay" mail as saved from a mail client, with the
    /// callback data attached or in its text.
    #[arg(long, group = "data")]
    eml: Option<PathBuf>,
    /// A form body: the raw urlencoded line, or one `name=value` per line.
    #[arg(long, group = "data")]
    form: Option<PathBuf>,
    /// A delivery selectpay stored (its id as the dashboard and the deliveries log show it).
    #[arg(long, group = "data")]
    delivery: Option<String>,
    /// An Opayo Form result: its crypt (`@…`) or the whole return URL
    /// (`…/return/opayo?crypt=@…`), e.g. for a shopper who never came back.
    #[arg(long, group = "data", value_name = "CRYPT_OR_URL")]
    opayo: Option<String>,
    /// Commit the decision (and send its mail); without it nothing changes.
    #[arg(long)]
    apply: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// A saved mail or form is small; refuse to read anything that is not.
fn read_bounded(path: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    if std::fs::metadata(path)?.len() > MAX_ALERT_BYTES as u64 {
        return Err(format!("{} is larger than {MAX_ALERT_BYTES} bytes", path.display()).into());
    }
    Ok(std::fs::read(path)?)
}

fn callback_data(
    args: &ReplayArgs,
) -> Result<CallbackData, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(path) = &args.form {
        return Ok(read_form_file(&read_bounded(path)?)?);
    }
    let path = args
        .eml
        .as_ref()
        .ok_or("give --eml FILE, --form FILE, --delivery ID or --opayo CRYPT_OR_URL")?;
    let alert = parse_failure_alert(&read_bounded(path)?)?;
    for (label, value) in [
        ("Transaction ID", &alert.transaction_id),
        ("Cart ID", &alert.cart_id),
        ("Installation ID", &alert.installation_id),
        ("Error reported", &alert.error_reported),
    ] {
        if let Some(value) = value {
            println!("alert {label:<22}{}", printable(value));
        }
    }
    for label in alert.disagreements() {
        eprintln!("warning: the alert's {label} is not the attached data's");
    }
    alert.callback_data.ok_or_else(|| {
        "this alert carries no callback data: enable \"Attach callback data to failure \
         email?\" for the installation in WorldPay's Customer Management System"
            .into()
    })
}

fn show(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let form = parse_form(body, content_type)?;
    for (label, value) in describe(&form) {
        println!("{label:<28}{value}");
    }
    Ok(())
}

pub async fn run(args: ReplayArgs) -> CliResult {
    let (app, inspect) = args.store.open().await?;
    let replayed: Replayed = match (&args.delivery, &args.opayo) {
        (_, Some(input)) => app.replay_opayo(input, args.apply).await?,
        (Some(id), None) => {
            let delivery = inspect
                .delivery(id)
                .await?
                .ok_or_else(|| format!("no delivery {id} in the store"))?;
            println!("delivery {id}: recorded as {}", delivery.outcome);
            show(&delivery.raw, delivery.content_type.as_deref())?;
            app.replay_stored(&delivery, args.apply).await?
        }
        (None, None) => {
            let data = callback_data(&args)?;
            show(&data.body, data.content_type)?;
            app.replay(&data.body, data.content_type, args.apply)
                .await?
        }
    };
    app.finish_sends().await;
    println!("decision: {}", replayed.outcome);
    match (replayed.outcome.as_str(), replayed.effects.is_empty()) {
        ("duplicate", _) => println!("  nothing changes: this was already processed"),
        (_, true) => println!("  no change to carts, payments or mail"),
        _ => replayed.effects.iter().for_each(|e| println!("  {e}")),
    }
    if replayed.applied {
        println!("mail: {}", replayed.mail.label());
    } else {
        println!("(only decided: nothing was changed; --apply commits)");
    }
    Ok(ExitCode::SUCCESS)
}
