//! The pure domain of selectpay: no I/O, no SDKs. Adapters implement [`ports`].

pub mod callback;
pub mod cart;
pub mod decision;
pub mod email;
pub mod futurepay;
pub mod ids;
pub mod mail;
pub mod money;
pub mod order;
pub mod outcome;
pub mod ports;
pub mod render;
pub mod replay;
pub mod secret;
pub mod settings;
pub mod token;
mod view;
