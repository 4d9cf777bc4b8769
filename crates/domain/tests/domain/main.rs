//! The domain's integration tests, in one binary.

mod decide;
mod decide_futurepay;
mod never_panics;
mod opayo_properties;
mod opayo_python;
mod replay_inputs;
mod replay_never_panics;
mod stale_carts_alert;
mod support;
mod verify_futurepay;
mod verify_origins;
