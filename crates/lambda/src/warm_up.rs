//! The slower half of an HTTP function's cold start, kept off init's path. Init reads and
//! checks the configuration (so a missing variable or secret still fails the cold start and
//! names it), then starts the warm-up: SDK clients, templates and the App, and the store
//! connection the first event will use. The runtime asks for that first event meanwhile, and
//! the event waits for the warm-up to finish. Lambda counts init up to that first request
//! for an event, so init stays close to an empty runtime's while the first invoke absorbs
//! only what is left of the warm-up when the event arrives (README "Performance").

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};
use tokio::task::JoinHandle;

use selectpay_app::App;

use crate::Error;

pub struct WarmUp {
    /// Awaited through a reference, so an event whose wait is dropped leaves it to the next.
    task: Mutex<JoinHandle<Result<App, Error>>>,
    /// The App, or why the warm-up failed: every event is then refused with that reason.
    done: OnceCell<Result<Arc<App>, String>>,
}

impl WarmUp {
    /// Starts `warm_up` as a task of the current runtime.
    pub fn start(warm_up: impl Future<Output = Result<App, Error>> + Send + 'static) -> Arc<Self> {
        Arc::new(Self {
            task: Mutex::new(tokio::spawn(warm_up)),
            done: OnceCell::new(),
        })
    }

    /// The App, once the warm-up has finished.
    pub async fn app(&self) -> Result<Arc<App>, Error> {
        let done = self.done.get_or_init(|| self.finish()).await;
        done.clone()
            .map_err(|reason| format!("cold start failed: {reason}").into())
    }

    /// The App if the warm-up has finished, without waiting for it.
    pub fn ready(&self) -> Option<Arc<App>> {
        self.done.get()?.as_ref().ok().cloned()
    }

    /// Run by `get_or_init` until one run completes, so the task is awaited to its end once.
    async fn finish(&self) -> Result<Arc<App>, String> {
        let mut task = self.task.lock().await;
        match (&mut *task).await {
            Ok(built) => built.map(Arc::new).map_err(|error| error.to_string()),
            Err(join) => Err(join.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selectpay_app::config::{Config, DevDefaults};
    use selectpay_embedded::{OutboxMailer, SqliteStore};

    fn app(outbox: &tempfile::TempDir) -> App {
        let config = Config::load(
            |_| None,
            Some(&DevDefaults {
                public_base_url: "https://shop.example".into(),
            }),
        )
        .unwrap()
        .config;
        let mailer = OutboxMailer::new(outbox.path(), config.sender_email.clone());
        let store = Arc::new(SqliteStore::in_memory().unwrap());
        App::builder(config).build(store, Arc::new(mailer)).unwrap()
    }

    #[tokio::test]
    async fn every_event_gets_the_one_app_the_warm_up_built() {
        let outbox = tempfile::tempdir().unwrap();
        let built = app(&outbox);
        let warm_up = WarmUp::start(async { Ok(built) });
        let first = warm_up.app().await.unwrap();
        let second = warm_up.app().await.unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert!(Arc::ptr_eq(&warm_up.ready().unwrap(), &first));
    }

    #[tokio::test]
    async fn a_failed_warm_up_refuses_every_event_with_its_reason() {
        let warm_up = WarmUp::start(async { Err::<App, Error>("no store".into()) });
        for _ in 0..2 {
            let refused = warm_up.app().await.err().unwrap().to_string();
            assert_eq!(refused, "cold start failed: no store");
        }
        assert!(warm_up.ready().is_none());
    }

    #[tokio::test]
    async fn an_event_whose_wait_is_dropped_leaves_the_warm_up_to_the_next() {
        let outbox = tempfile::tempdir().unwrap();
        let built = app(&outbox);
        let (go, gate) = tokio::sync::oneshot::channel::<()>();
        let warm_up = WarmUp::start(async move {
            gate.await.unwrap();
            Ok(built)
        });
        let dropped = tokio::time::timeout(std::time::Duration::from_millis(20), warm_up.app());
        assert!(
            dropped.await.is_err(),
            "the warm-up is still held at its gate"
        );
        go.send(()).unwrap();
        assert!(warm_up.app().await.is_ok());
    }

    #[tokio::test]
    async fn nothing_is_ready_before_an_event_has_waited_for_the_warm_up() {
        let warm_up = WarmUp::start(std::future::pending());
        assert!(warm_up.ready().is_none());
    }
}
