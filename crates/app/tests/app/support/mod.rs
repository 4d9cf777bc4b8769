//! A selectpay app on an in-memory SQLite store with a recording mailer and a settable
//! clock, driven through its HTTP handler.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};
use time::OffsetDateTime;
use time::macros::datetime;

use selectpay_app::config::{Config, DevDefaults};
use selectpay_app::{App, Stores};
use selectpay_domain::cart::{Cart, CartStatus};
use selectpay_domain::decision::Snapshot;
use selectpay_domain::futurepay::{
    Agreement, AmountOption, FuturePayPlan, Interval, IntervalUnit, Start,
};
use selectpay_domain::gateway::Gateway;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{Order, Shopper};
use selectpay_domain::ports::{
    AwaitingShoppers, CartRecord, ClaimFollowUps, Clock, Commit, CommitResult, DueAgreements,
    Inspect, MailError, Mailer, Outbox, Store, StoreError,
};
use selectpay_embedded::SqliteStore;
use selectpay_worldpay::gateway_simulator::{Action, SimulatedPayment, encode_form};

pub const PASSWORD: &str = "dev-callback-password";
pub const API_KEY: &str = "dev-api-key";
pub const INSTALLATION: &str = "38290";
pub const LATIN1_FORM: &str = "application/x-www-form-urlencoded; charset=ISO-8859-1";
/// The settings of a live installation.
pub const LIVE: &[(&str, &str)] = &[
    ("SELECTPAY_MODE", "live"),
    ("SELECTPAY_CALLBACK_PASSWORD", PASSWORD),
    ("SELECTPAY_API_KEY", API_KEY),
];

#[derive(Default)]
pub struct RecordingMailer {
    pub sent: Mutex<Vec<Mail>>,
    pub failing: Mutex<bool>,
    /// Sends never answer, as from a mail service that hangs.
    pub stalled: Mutex<bool>,
    /// Each send takes this long before it succeeds or fails.
    pub slow: Mutex<Option<std::time::Duration>>,
    /// Mail to this address is always refused.
    pub refused_to: Mutex<Option<String>>,
    /// The id of every mail a send was attempted for.
    pub attempts: Mutex<Vec<String>>,
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.attempts.lock().unwrap().push(mail.id.to_string());
        if *self.stalled.lock().unwrap() {
            std::future::pending::<()>().await;
        }
        let slow = *self.slow.lock().unwrap();
        if let Some(slow) = slow {
            tokio::time::sleep(slow).await;
        }
        let refused = self.refused_to.lock().unwrap().as_deref() == Some(mail.to.as_str());
        if *self.failing.lock().unwrap() || refused {
            return Err(MailError::NotSent("mail server down".into()));
        }
        self.sent.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

pub struct FixedClock(pub Mutex<OffsetDateTime>);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

pub struct Harness {
    pub app: Arc<App>,
    due: Arc<dyn DueAgreements>,
    outbox: Arc<dyn Outbox>,
    inspect: Arc<dyn Inspect>,
    pub mailer: Arc<RecordingMailer>,
    pub clock: Arc<FixedClock>,
}

impl Harness {
    pub fn test_mode() -> Self {
        Self::with_env(&[])
    }

    pub fn live_mode() -> Self {
        Self::with_env(LIVE)
    }

    pub fn with_env(env: &[(&str, &str)]) -> Self {
        Self::with_backend(
            env,
            Arc::new(SqliteStore::in_memory().expect("in-memory store")),
        )
    }

    /// On `store`, for every part of the store port.
    pub fn with_backend<S>(env: &[(&str, &str)], store: Arc<S>) -> Self
    where
        S: Store + DueAgreements + ClaimFollowUps + AwaitingShoppers + Outbox + Inspect + 'static,
    {
        Self::with_parts(env, Stores::from(Arc::clone(&store)), store)
    }

    /// On a double of `Store` alone; the rest of the port is an empty SQLite store.
    pub fn with_store(env: &[(&str, &str)], store: Arc<dyn Store>) -> Self {
        let rest = Arc::new(SqliteStore::in_memory().expect("in-memory store"));
        let stores = Stores {
            store,
            due: rest.clone(),
            claims: rest.clone(),
            awaiting: rest.clone(),
            outbox: rest.clone(),
        };
        Self::with_parts(env, stores, rest)
    }

    /// On these parts of the store port, `inspect` for the listings.
    pub fn with_parts(env: &[(&str, &str)], stores: Stores, inspect: Arc<dyn Inspect>) -> Self {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let config = Config::load(
            |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            Some(&DevDefaults {
                public_base_url: "https://shop.example".into(),
            }),
        )
        .expect("test configuration")
        .config;
        let mailer = Arc::new(RecordingMailer::default());
        let clock = Arc::new(FixedClock(Mutex::new(datetime!(2026-11-22 10:00 UTC))));
        let due = Arc::clone(&stores.due);
        let outbox = Arc::clone(&stores.outbox);
        let app = Arc::new(
            App::builder(config)
                .clock(clock.clone())
                .build(stores, mailer.clone())
                .expect("no remote administration configured"),
        );
        Self {
            app,
            due,
            outbox,
            inspect,
            mailer,
            clock,
        }
    }

    /// The clock's time as a callback's `transTime`: epoch milliseconds.
    pub fn trans_time(&self) -> String {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000).to_string()
    }

    /// One sweep at the clock's time, without remote administration, as the schedule runs it.
    pub async fn sweep(&self) -> selectpay_app::sweep::SweepSummary {
        let options = selectpay_app::sweep::SweepOptions {
            now: self.clock.now(),
            budget: std::time::Duration::from_secs(60),
            page_size: std::num::NonZeroUsize::new(10).unwrap(),
        };
        self.app
            .sweep(selectpay_app::sweep::SweepAction::Enforce(None), &options)
            .await
            .unwrap()
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.clock.0.lock().unwrap();
        *now += by;
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.app.store()
    }

    pub fn due(&self) -> &Arc<dyn DueAgreements> {
        &self.due
    }

    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.outbox
    }

    /// The listings the app itself never reads, for checking what was written.
    pub fn inspect(&self) -> &Arc<dyn Inspect> {
        &self.inspect
    }

    pub async fn request(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.app.handle(request).await
    }

    /// A pending cart of `amount` `currency`, inserted directly.
    pub async fn cart(&self, id: &str, amount: &str, currency: &str) -> CartId {
        let currency = Currency::parse(currency).unwrap();
        let cart = Cart {
            id: CartId::parse(id).unwrap(),
            order: Order {
                amount: Money::parse(amount, currency).unwrap(),
                description: "Test Item".into(),
                shopper: Shopper::default(),
                custom_fields: Vec::new(),
                future_pay: None,
                gateway: Gateway::WorldPay,
            },
            status: CartStatus::Pending,
            paid_by: None,
            created_at: self.clock.now(),
        };
        self.store().insert_cart(&cart).await.unwrap();
        cart.id
    }

    /// A pending cart for `now_amount` GBP at once and 9.99 a month from 1 December.
    pub async fn subscription_cart(&self, id: &str, now_amount: &str) {
        let gbp = |amount| Money::parse(amount, Currency::parse("GBP").unwrap()).unwrap();
        let cart = Cart {
            id: CartId::parse(id).unwrap(),
            order: Order {
                amount: gbp(now_amount),
                description: "Tea club".into(),
                shopper: Shopper::default(),
                custom_fields: Vec::new(),
                future_pay: Some(FuturePayPlan::Regular {
                    option: AmountOption::Fixed,
                    start: Start::Date(time::macros::date!(2026 - 12 - 01)),
                    interval: Some(Interval::new(IntervalUnit::Month, 1).unwrap()),
                    payments: 0,
                    initial_amount: None,
                    normal_amount: Some(gbp("9.99")),
                }),
                gateway: Gateway::WorldPay,
            },
            status: CartStatus::Pending,
            paid_by: None,
            created_at: self.clock.now(),
        };
        self.store().insert_cart(&cart).await.unwrap();
    }

    pub async fn record(&self, cart_id: &str) -> CartRecord {
        self.store()
            .cart(&CartId::parse(cart_id).unwrap())
            .await
            .unwrap()
            .expect("cart exists")
    }

    pub async fn post_callback(&self, body: Vec<u8>, content_type: &str) -> Response<Bytes> {
        self.request(
            Request::post("/callback")
                .header("content-type", content_type)
                .body(Bytes::from(body))
                .unwrap(),
        )
        .await
    }

    pub async fn send(&self, payment: &SimulatedPayment) -> Response<Bytes> {
        self.post_callback(
            encode_form(&payment.fields(), encoding_rs::WINDOWS_1252),
            LATIN1_FORM,
        )
        .await
    }

    pub fn sent(&self) -> Vec<Mail> {
        self.mailer.sent.lock().unwrap().clone()
    }

    pub fn sent_of(&self, kind: MailKind) -> Vec<Mail> {
        self.sent().into_iter().filter(|m| m.kind == kind).collect()
    }
}

/// A payment response as the gateway sends it for `cart_id`.
pub fn payment(cart_id: &str, amount: &str) -> SimulatedPayment {
    SimulatedPayment {
        action: Action::Pay,
        installation_id: INSTALLATION.into(),
        callback_password: Some(PASSWORD.into()),
        cart_id: cart_id.into(),
        amount: amount.into(),
        currency: "GBP".into(),
        test_mode: "100".into(),
        trans_id: "12227758".into(),
        // When the harness's clock starts (22 November 2026, 10:00 UTC).
        trans_time_ms: 1_795_341_600_000,
        name: "WorldPay Test".into(),
        email: "demo@uk.worldpay.com".into(),
        description: "Test Item".into(),
        future_pay_id: None,
    }
}

pub fn cancel(cart_id: &str) -> SimulatedPayment {
    SimulatedPayment {
        action: Action::Cancel,
        ..payment(cart_id, "14.99")
    }
}

pub fn body_text(response: &Response<Bytes>) -> String {
    String::from_utf8(response.body().to_vec()).expect("UTF-8 body")
}

/// A store that fails every call: `Unavailable` as DynamoDB throttled or unreachable,
/// `Hanging` as an endpoint that accepts the connection and then says nothing.
pub enum BrokenStore {
    Unavailable,
    Hanging,
}

impl BrokenStore {
    async fn fail<T>(&self) -> Result<T, StoreError> {
        match self {
            BrokenStore::Unavailable => Err(StoreError::unavailable("connection refused")),
            BrokenStore::Hanging => std::future::pending().await,
        }
    }
}

#[async_trait]
impl Store for BrokenStore {
    async fn insert_cart(&self, _: &Cart) -> Result<(), StoreError> {
        self.fail().await
    }
    async fn cart(&self, _: &CartId) -> Result<Option<CartRecord>, StoreError> {
        self.fail().await
    }
    async fn snapshot(
        &self,
        _: &IdempotencyKey,
        _: &CartId,
        _: Option<&FuturePayId>,
    ) -> Result<Snapshot, StoreError> {
        self.fail().await
    }
    async fn agreement(&self, _: &FuturePayId) -> Result<Option<Agreement>, StoreError> {
        self.fail().await
    }
    async fn commit(&self, _: &Commit) -> Result<CommitResult, StoreError> {
        self.fail().await
    }
}

/// One `#[tokio::test]` per case on each store: SQLite in memory, and a fresh DynamoDB Local
/// table, under the variables `env` (none by default). Each case is an `async fn(Harness)`.
macro_rules! on_both_stores {
    (env = $env:expr; $($case:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(Harness::with_env($env)).await;
                }
            )*
        }
        mod dynamodb {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let store = selectpay_aws::testing::fresh_store().await;
                    super::$case(Harness::with_backend($env, std::sync::Arc::new(store))).await;
                }
            )*
        }
    };
    ($($case:ident),* $(,)?) => {
        on_both_stores!(env = &[]; $($case),*);
    };
}
