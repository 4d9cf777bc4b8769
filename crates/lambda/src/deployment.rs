//! What a cold start reads before it opens any store: the environment with the function's
//! secrets filled in from the parameter store, checked, and the table to use. Apart from the
//! SDK clients, this and [`Deployment::app`] are the whole cold start, so tests run them on
//! the embedded store and a fake parameter store.

use std::collections::HashMap;
use std::sync::Arc;

use selectpay_app::config::Config;
use selectpay_app::{App, Stores};
use selectpay_domain::ports::Mailer;

use crate::secrets::{self, ParameterStore};
use crate::{Error, Function};

pub struct Deployment {
    pub config: Config,
    /// `SELECTPAY_TABLE_NAME`.
    pub table: String,
}

impl Deployment {
    /// `env` as the process has it, each `SELECTPAY_*_PARAM` the function may read resolved.
    pub async fn from_env(
        function: Function,
        env: HashMap<String, String>,
        parameters: &dyn ParameterStore,
    ) -> Result<Self, Error> {
        let env = secrets::resolve(env, parameters, function.secrets()).await?;
        let config = Config::load(|name| env.get(name).cloned(), None)?.config;
        function.check(&config)?;
        let table = env
            .get("SELECTPAY_TABLE_NAME")
            .ok_or("SELECTPAY_TABLE_NAME is not set")?
            .clone();
        Ok(Self { config, table })
    }

    /// The App the function serves, on `stores` and `mailer`. It answers without waiting for
    /// mail: each function waits for the sends once its reply is out (the sweep before it
    /// returns), as nothing runs while Lambda has the process frozen.
    pub fn app(self, stores: impl Into<Stores>, mailer: Arc<dyn Mailer>) -> Result<App, Error> {
        Ok(App::builder(self.config)
            .mail_after_reply()
            .build(stores, mailer)?)
    }
}
