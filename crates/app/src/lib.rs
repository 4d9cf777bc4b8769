//! selectpay's HTTP handlers over plain `http` types: the same code runs in the Lambda
//! functions on AWS (`crates/lambda` converts API Gateway events) and under the local server.
//! [`App::builder`] is the one place an [`App`] is assembled. A delivery of a result goes
//! through `callback.rs` (deciding and committing), with `callback/opayo.rs` (Opayo's
//! returns), `callback/claim.rs` (a browser's backup) and `callback/record.rs` (the stored
//! delivery and the alerts it raises).

mod builder;
mod callback;
pub mod carts;
mod claim_follow_up;
pub mod config;
mod delivery;
mod purchase;
mod raced_payments;
mod recent_outcomes;
mod replay;
mod reply;
mod stale_carts;
mod stores;
pub mod sweep;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use selectpay_domain::callback::rate::FixedWindow;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::ports::{
    AwaitingShoppers, ClaimFollowUps, Clock, DueAgreements, RemoteAdmin, Store,
};
use selectpay_domain::render::Templates;

pub use crate::builder::AppBuilder;
pub use crate::callback::CallbackOutcome;
use crate::config::Config;
use crate::delivery::MailSender;
pub use crate::delivery::{MailState, RedeliverySummary};
use crate::recent_outcomes::RecentOutcomes;
pub use crate::replay::{ReplayError, Replayed};
pub use crate::stale_carts::ALERT_LIST_LIMIT;
pub use crate::stores::Stores;

/// Bodies larger than this are refused before any parsing.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Browser-delivered claims each of this process answers and records per minute; beyond it
/// they get 429 and are not stored. A shopper sends one or two; a flood is not a shopper.
pub const CLAIMS_PER_MINUTE: u32 = 60;

pub struct App {
    config: Config,
    templates: Templates,
    store: Arc<dyn Store>,
    due: Arc<dyn DueAgreements>,
    /// Browser claims of payment, for the sweep's follow-up.
    claimed_payments: Arc<dyn ClaimFollowUps>,
    /// Carts sent to Opayo whose shopper has not come back yet.
    awaiting: Arc<dyn AwaitingShoppers>,
    mail: MailSender,
    clock: Arc<dyn Clock>,
    claims: Mutex<FixedWindow>,
    /// Outcomes this process saved or was shown, so a repeat it has met needs no doomed commit.
    recent_outcomes: RecentOutcomes,
    /// WorldPay's remote administration, built once per process (see [`AppBuilder`]).
    remote_admin: Option<Arc<dyn RemoteAdmin>>,
}

impl App {
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The gateway client the sweep cancels with, when remote administration is configured.
    pub fn remote_admin(&self) -> Option<&dyn RemoteAdmin> {
        self.remote_admin.as_deref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Routes a request to its handler: every route, as the local server serves them.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        match request.uri().path() {
            "/callback" | "/return/opayo" => self.handle_callbacks(request).await,
            _ => self.handle_purchase_api(request).await,
        }
    }

    /// The callback function's routes: `POST` and `GET /callback`, `GET /return/opayo`.
    /// Its own entry point, so a binary serving only these links no purchase code.
    pub async fn handle_callbacks(&self, request: Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path().to_owned();
        match (path.as_str(), request.method()) {
            ("/callback", &Method::POST | &Method::GET) => {
                self.callback(request, Gateway::WorldPay).await
            }
            ("/return/opayo", &Method::GET) if self.config.opayo.is_some() => {
                self.callback(request, Gateway::Opayo).await
            }
            ("/callback", _) => reply::status(StatusCode::METHOD_NOT_ALLOWED),
            ("/return/opayo", _) if self.config.opayo.is_some() => {
                reply::status(StatusCode::METHOD_NOT_ALLOWED)
            }
            _ => reply::status(StatusCode::NOT_FOUND),
        }
    }

    /// The purchase-token function's routes: `POST /purchase`, `GET /carts/{cartId}`.
    pub async fn handle_purchase_api(&self, request: Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path().to_owned();
        let method = request.method().clone();
        match (path.as_str(), &method) {
            ("/purchase", &Method::POST) => self.purchase(request).await,
            (path, &Method::GET) if path.starts_with("/carts/") => {
                self.cart(request, &path["/carts/".len()..]).await
            }
            ("/purchase", _) => reply::status(StatusCode::METHOD_NOT_ALLOWED),
            (path, _) if path.starts_with("/carts/") => {
                reply::status(StatusCode::METHOD_NOT_ALLOWED)
            }
            _ => reply::status(StatusCode::NOT_FOUND),
        }
    }
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

/// 128 random bits, for ids nobody should guess or collide with.
fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

fn random_id() -> String {
    hex::encode(random_bytes())
}

/// Whether the request carries the API key as a bearer token.
/// Always false where no API key is configured (the callback function).
fn authorised(
    request: &Request<Bytes>,
    api_key: Option<&selectpay_domain::secret::Secret>,
) -> bool {
    let Some(api_key) = api_key else {
        return false;
    };
    request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| api_key.matches(token.trim()))
}
