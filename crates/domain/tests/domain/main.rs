//! The domain's integration tests, in one binary.

mod decide;
mod never_panics;
mod replay_inputs;
mod replay_never_panics;
mod support;
mod verify_futurepay;
mod verify_origins;
