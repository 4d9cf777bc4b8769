//! `selectpay sweep` and `selectpay agreements`: FuturePay on the embedded store.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use selectpay_app::carts::agreement_json;
use selectpay_app::config::{Config, DevDefaults};
use selectpay_app::sweep::{SweepAction, SweepOptions};
use selectpay_app::{App, SystemClock};
use selectpay_domain::ports::{Clock, DueAgreements, Inspect};
use selectpay_embedded::OutboxMailer;

use crate::local::{self, CliResult, outbox_path};

/// Due agreements read per page when listing them.
const PAGE_SIZE: NonZeroUsize = NonZeroUsize::new(100).unwrap();

#[derive(clap::Args)]
pub struct SweepArgs {
    /// Show what would be suspended or cancelled without changing anything or sending mail.
    #[arg(long)]
    dry_run: bool,
    /// Sweep as if it were this time (RFC 3339), e.g. to try an overdue agreement.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

#[derive(clap::Args)]
pub struct AgreementsArgs {
    /// Only agreements whose payment is overdue.
    #[arg(long)]
    due: bool,
    /// With --due: overdue at this time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    now: Option<OffsetDateTime>,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

pub(crate) fn parse_time(value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|e| format!("not an RFC 3339 time: {e}"))
}

pub(crate) fn local_config() -> Result<Config, Box<dyn std::error::Error + Send + Sync>> {
    Ok(Config::load(
        |name| std::env::var(name).ok(),
        Some(&DevDefaults {
            public_base_url: "http://127.0.0.1:3000".into(),
        }),
    )?
    .config)
}

pub async fn sweep(args: SweepArgs) -> CliResult {
    let config = local_config()?;
    let outbox = outbox_path(&args.data_dir);
    let mailer = OutboxMailer::new(outbox, config.sender_email.clone());
    let now = args.now.unwrap_or_else(|| SystemClock.now());
    // The whole run, mail it writes and sends included, happens at `--now`: a mail written
    // "in 2030" is due then, not years after the wall clock's now.
    let app = App::builder(config)
        .templates(local::templates()?)
        .clock(Arc::new(FixedClock(now)))
        .build(
            Arc::new(local::open_store(&args.data_dir)?),
            Arc::new(mailer),
        )?;
    let action = if args.dry_run {
        SweepAction::Report
    } else {
        if app.remote_admin().is_none() {
            eprintln!(
                "remote administration is not configured: overdue agreements are suspended \
                 here only; set SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID and \
                 SELECTPAY_REMOTE_ADMIN_PASSWORD (and SELECTPAY_REMOTE_ADMIN_URL for a test \
                 gateway) to cancel them at WorldPay too"
            );
        }
        SweepAction::Enforce(app.remote_admin())
    };
    let summary = app
        .sweep(
            action,
            &SweepOptions {
                now,
                ..SweepOptions::default()
            },
        )
        .await?;
    app.finish_sends().await;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A clock stopped at the time the sweep is run for.
struct FixedClock(OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

pub async fn agreements(args: AgreementsArgs) -> CliResult {
    let store = local::open_store(&args.data_dir)?;
    let agreements = if args.due {
        let now = args.now.unwrap_or_else(|| SystemClock.now());
        let mut due = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .due_agreements(now, after.as_deref(), PAGE_SIZE)
                .await?;
            due.extend(page.agreements);
            match page.next {
                Some(next) => after = Some(next),
                None => break due,
            }
        }
    } else {
        store.agreements(1000).await?
    };
    let listed: Vec<_> = agreements.iter().map(agreement_json).collect();
    println!("{}", serde_json::to_string_pretty(&listed)?);
    Ok(ExitCode::SUCCESS)
}
