//! The one composition root: the Lambda cold start, the CLI and the tests all assemble an
//! [`App`] here, so the wiring the functions run is the wiring the tests exercise.

use std::sync::{Arc, Mutex};

use selectpay_domain::callback::rate::FixedWindow;
use time::Duration;

use selectpay_domain::ports::{AdminError, Clock, Mailer, RemoteAdmin};
use selectpay_domain::render::Templates;

use crate::config::{Config, RemoteAdminConfig};
use crate::delivery::MailSender;
use crate::recent_outcomes::RecentOutcomes;
use crate::{App, CLAIMS_PER_MINUTE, Stores, SystemClock};

/// Built-in templates, the wall clock and, when the configuration has remote
/// administration, one WorldPay client for the life of the process.
pub struct AppBuilder {
    config: Config,
    templates: Templates,
    clock: Arc<dyn Clock>,
    remote_admin: Option<Arc<dyn RemoteAdmin>>,
    mail_after_reply: bool,
}

impl App {
    pub fn builder(config: Config) -> AppBuilder {
        AppBuilder {
            config,
            templates: Templates::builtin(),
            clock: Arc::new(SystemClock),
            remote_admin: None,
            mail_after_reply: false,
        }
    }
}

impl AppBuilder {
    pub fn templates(self, templates: Templates) -> Self {
        Self { templates, ..self }
    }

    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Another gateway client than the one the configuration names (tests: a fake).
    pub fn remote_admin(self, remote_admin: Arc<dyn RemoteAdmin>) -> Self {
        Self {
            remote_admin: Some(remote_admin),
            ..self
        }
    }

    /// For a host that waits for the sends after each reply ([`App::finish_sends`]; the
    /// Lambda functions, whose process is frozen between events): a request answers as soon
    /// as its commit is in, and the mail it committed goes out after the reply. Without it, a
    /// request waits up to a second for its mail.
    pub fn mail_after_reply(self) -> Self {
        Self {
            mail_after_reply: true,
            ..self
        }
    }

    pub fn build(
        self,
        stores: impl Into<Stores>,
        mailer: Arc<dyn Mailer>,
    ) -> Result<App, AdminError> {
        let remote_admin = match (self.remote_admin, &self.config.remote_admin) {
            (Some(given), _) => Some(given),
            (None, Some(admin)) => Some(worldpay_remote_admin(admin)?),
            (None, None) => None,
        };
        let Stores {
            store,
            due,
            claims,
            awaiting,
            outbox,
        } = stores.into();
        Ok(App {
            config: self.config,
            templates: self.templates,
            store,
            due,
            claimed_payments: claims,
            awaiting,
            mail: MailSender::new(outbox, mailer, self.clock.clone(), self.mail_after_reply),
            clock: self.clock,
            remote_admin,
            claims: Mutex::new(FixedWindow::new(CLAIMS_PER_MINUTE, Duration::minutes(1))),
            recent_outcomes: RecentOutcomes::default(),
        })
    }
}

/// The WorldPay client (reqwest on rustls), built only with the `remote-admin` feature: of
/// the Lambda functions, only the sweep cancels agreements, so only it links the client.
#[cfg(feature = "remote-admin")]
fn worldpay_remote_admin(admin: &RemoteAdminConfig) -> Result<Arc<dyn RemoteAdmin>, AdminError> {
    Ok(Arc::new(selectpay_worldpay::WorldPayRemoteAdmin::new(
        admin.url.clone(),
        admin.installation_id.clone(),
        admin.password.clone(),
    )?))
}

/// Refuses to start rather than run a sweep that would never cancel at WorldPay.
#[cfg(not(feature = "remote-admin"))]
fn worldpay_remote_admin(_: &RemoteAdminConfig) -> Result<Arc<dyn RemoteAdmin>, AdminError> {
    Err(AdminError(
        "remote administration is configured but this binary is built without the \
         remote-admin feature"
            .into(),
    ))
}
