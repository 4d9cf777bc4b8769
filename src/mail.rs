//! `selectpay mail` and `selectpay mail resend ID`: the outbox's unsent mail on the
//! embedded store, waiting or parked, and putting one back in line.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use selectpay_app::SystemClock;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::QueuedMail;
use selectpay_domain::ports::{Clock, Outbox};

use crate::local::{self, CliResult};

/// More unsent mail than this is a problem for a person to look at in the store itself.
const LIST_LIMIT: usize = 1000;

#[derive(clap::Args)]
pub struct MailArgs {
    #[command(subcommand)]
    command: Option<MailCommand>,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR, global = true)]
    data_dir: PathBuf,
}

#[derive(clap::Subcommand)]
enum MailCommand {
    /// Put a pending or failed mail back in line, due now with no attempts counted.
    Resend { mail_id: String },
}

pub async fn run(args: MailArgs) -> CliResult {
    let store = local::open_store(&args.data_dir)?;
    match args.command {
        None => {
            let unsent = store.unsent_mail(LIST_LIMIT).await?;
            let listed: Vec<Value> = unsent.iter().map(mail_json).collect();
            println!("{}", serde_json::to_string_pretty(&listed)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(MailCommand::Resend { mail_id }) => {
            if store
                .requeue_mail(&MailId::from_stored(mail_id.as_str()), SystemClock.now())
                .await?
            {
                println!("{mail_id}: back in line; the next redelivery sends it");
                Ok(ExitCode::SUCCESS)
            } else {
                Err(
                    format!("{mail_id}: no unsent mail by that id, or it is being sent right now")
                        .into(),
                )
            }
        }
    }
}

fn time(at: OffsetDateTime) -> Value {
    at.format(&Rfc3339).map_or(Value::Null, Value::String)
}

/// The mail's place in the queue, without its body (which may hold shopper data).
fn mail_json(queued: &QueuedMail) -> Value {
    let mail = &queued.mail;
    json!({
        "id": mail.id,
        "kind": mail.kind.as_str(),
        "cartId": mail.cart_id.as_ref().map(|c| c.as_str()),
        "status": if queued.failed_at.is_some() { "failed" } else { "pending" },
        "createdAt": time(mail.created_at),
        "attempts": queued.attempts,
        "nextAttemptAt": queued.failed_at.is_none().then(|| time(queued.next_attempt_at)),
        "failedAt": queued.failed_at.map(time),
        "lastError": queued.last_error,
    })
}
