//! The pure domain of selectpay: no I/O, no SDKs. Adapters implement [`ports`]; the store's
//! part of them, its contract, is [`store`] (the writes a decision returns, the store
//! traits cut by capability, their errors, and the time and cursor encodings).
//!
//! How a callback flows through it, module by module:
//! - [`callback`]: the raw body decoded ([`callback::form`], only in ASCII-compatible
//!   charsets: [`callback::charset`]) and verified ([`callback::response`]) into a
//!   [`callback::PaymentResponse`], a browser's unverified claim ([`callback::backup`]), or
//!   refused; its risk signals named ([`callback::risk`]) for the merchant's hold rule
//!   ([`callback::hold`]).
//! - [`decision`]: the decision table. [`decision::decide`] takes the response and a
//!   snapshot of the store and returns the outcome, the reply page and the conditional
//!   writes; its rows live in `decision/payment.rs` (a cart's own payment),
//!   `decision/agreement.rs` (an agreement's creation, declines and end),
//!   `decision/scheduled_payment.rs` (later payments, checked against the plan by
//!   [`futurepay::plan_check`]), `decision/test_mode.rs` (callbacks from the other mode)
//!   and `decision/cartless.rs` (a cartless callback for an unknown agreement).
//! - [`notices`]: every mail selectpay writes (receipts, order notices, alerts, the
//!   sweep's mails), composed in one place from the templates ([`render`]) into [`mail`].
//! - [`outcome`]: one label per delivery for the log and the metric.
//! - [`mail_queue`]: the outbox as a queue (leases, backoff, parking), which the store's
//!   [`store::Outbox`] keeps.
//! - [`opayo`]: the second gateway's wire format (Opayo Form): the encrypted purchase request
//!   and the return fields the shopper's browser brings back.
//! - [`replay`]: callback data read back from a Callback Failure Alert mail or a saved form,
//!   for `selectpay replay`.
//!
//! The values they work on, each parsed once where it enters: [`ids`], [`text`] (one
//! bounded line of outside text), [`email`], [`money`], [`secret`], [`settings`]; carts
//! and payments ([`cart`]), what a storefront orders ([`order`]), the gateway it is paid
//! through ([`gateway`]) and the token posted to WorldPay ([`token`]); FuturePay agreements,
//! plans and schedules ([`futurepay`]).

pub mod callback;
pub mod cart;
pub mod decision;
pub mod email;
pub mod futurepay;
pub mod gateway;
pub mod idempotency_key;
pub mod ids;
pub mod mail;
pub mod mail_id;
pub mod mail_queue;
pub mod money;
pub mod notices;
pub mod opayo;
pub mod order;
pub mod outcome;
pub mod ports;
pub mod render;
pub mod replay;
pub mod secret;
pub mod settings;
pub mod store;
pub mod text;
pub mod token;
mod view;
