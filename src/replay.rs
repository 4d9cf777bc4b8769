//! `selectpay replay`: callback data WorldPay mailed (a Callback Failure Alert saved as
//! `.eml`) or a saved form body, shown, then decided on the embedded store like a callback.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use selectpay_app::{App, SystemClock};
use selectpay_domain::callback::parse_form;
use selectpay_domain::replay::summary::{describe, printable};
use selectpay_domain::replay::{
    CallbackData, MAX_ALERT_BYTES, parse_failure_alert, read_form_file,
};
use selectpay_embedded::OutboxMailer;

use crate::local::{self, CliResult, outbox_path};
use crate::sweep::local_config;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// A "Callback Failure Alert from WorldPay" mail as saved from a mail client, with the
    /// callback data attached or in its text.
    #[arg(long, required_unless_present = "form", conflicts_with = "form")]
    eml: Option<PathBuf>,
    /// A form body: the raw urlencoded line, or one `name=value` per line.
    #[arg(long)]
    form: Option<PathBuf>,
    /// Commit the decision (mail goes to the outbox); without it nothing changes.
    #[arg(long)]
    apply: bool,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
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
    let path = args.eml.as_ref().ok_or("give --eml FILE or --form FILE")?;
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

pub async fn run(args: ReplayArgs) -> CliResult {
    let data = callback_data(&args)?;
    let form = parse_form(&data.body, data.content_type)?;
    for (label, value) in describe(&form) {
        println!("{label:<28}{value}");
    }
    let config = local_config()?;
    let app = App::new(
        config.clone(),
        local::templates()?,
        Arc::new(local::open_store(&args.data_dir)?),
        Arc::new(OutboxMailer::new(
            outbox_path(&args.data_dir),
            config.sender_email.clone(),
        )),
        Arc::new(SystemClock),
    );
    let replayed = app
        .replay(&data.body, data.content_type, args.apply)
        .await?;
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
