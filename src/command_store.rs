//! The store a command other than `serve` works on: the embedded store in `--data-dir`, or
//! a deployed stack's DynamoDB table `--table` (mail through SES), with the usual AWS
//! variables and credentials; and the app on it, configured as the functions are.

use std::path::PathBuf;
use std::sync::Arc;

use selectpay_app::App;
use selectpay_domain::ports::Inspect;

use crate::local;
use crate::serve::{Backend, DEFAULT_TABLE, StoreKind};
use crate::sweep::local_config;

#[derive(clap::Args)]
pub struct StoreArgs {
    /// The embedded store in --data-dir, or a deployed stack's DynamoDB table --table (mail
    /// through SES), with the usual AWS variables and credentials.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    #[arg(long, env = "SELECTPAY_TABLE_NAME", default_value = DEFAULT_TABLE)]
    table: String,
    #[arg(long, default_value = local::DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
}

impl StoreArgs {
    /// The app on this store, and the store's listings for people.
    pub async fn open(
        &self,
    ) -> Result<(App, Arc<dyn Inspect>), Box<dyn std::error::Error + Send + Sync>> {
        let config = local_config()?;
        let backend = Backend::open(
            self.store,
            &self.data_dir,
            &self.table,
            false,
            &config.sender_email,
        )
        .await?;
        let app = App::builder(config)
            .templates(local::templates()?)
            .build(backend.stores, backend.mailer)?;
        Ok((app, backend.inspect))
    }
}
