//! The embedded store and outbox in a data folder, shared by the commands.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use selectpay_app::carts::cart_json;
use selectpay_domain::ids::CartId;
use selectpay_domain::ports::Store;
use selectpay_domain::render::{BUILTIN, Templates};
use selectpay_embedded::SqliteStore;

pub const DEFAULT_DATA_DIR: &str = ".selectpay";

pub type CliResult = Result<ExitCode, Box<dyn std::error::Error + Send + Sync>>;

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("selectpay.sqlite3")
}

pub fn outbox_path(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox")
}

pub fn open_store(
    data_dir: &Path,
) -> Result<SqliteStore, Box<dyn std::error::Error + Send + Sync>> {
    std::fs::create_dir_all(data_dir)?;
    Ok(SqliteStore::open(database_path(data_dir))?)
}

/// Human-readable logs locally; `SELECTPAY_LOG_FORMAT=json` for the JSON lines AWS gets.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SELECTPAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let format = std::env::var("SELECTPAY_LOG_FORMAT").ok();
    if format.as_deref() == Some("json") {
        builder.json().init();
    } else {
        builder
            .compact()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    if let Some(other) = format.filter(|f| f != "json" && !f.is_empty()) {
        tracing::warn!(
            "SELECTPAY_LOG_FORMAT={other:?} is not `json`: logging human-readable lines"
        );
    }
}

/// The built-in templates, with any a merchant put in `SELECTPAY_TEMPLATE_DIR` instead.
pub fn templates() -> Result<Templates, Box<dyn std::error::Error + Send + Sync>> {
    let Some(dir) = std::env::var_os("SELECTPAY_TEMPLATE_DIR") else {
        return Ok(Templates::builtin());
    };
    let dir = PathBuf::from(dir);
    if !dir.is_dir() {
        return Err(format!("SELECTPAY_TEMPLATE_DIR {} is not a folder", dir.display()).into());
    }
    let mut overrides = Vec::new();
    for (name, _) in BUILTIN {
        let path = dir.join(name);
        if path.exists() {
            overrides.push(((*name).to_owned(), std::fs::read_to_string(&path)?));
        }
    }
    Ok(Templates::with_overrides(overrides)?)
}

pub async fn print_cart(data_dir: &Path, cart_id: &str) -> CliResult {
    let cart_id = CartId::parse(cart_id).map_err(|e| format!("cart id {e}"))?;
    let store = open_store(data_dir)?;
    match store.cart(&cart_id).await? {
        Some(record) => {
            println!("{}", serde_json::to_string_pretty(&cart_json(&record))?);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("no cart {cart_id} in {}", data_dir.display());
            Ok(ExitCode::FAILURE)
        }
    }
}
