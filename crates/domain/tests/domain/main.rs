//! The domain's integration tests, in one binary.

mod never_panics;
mod support;
mod verify_futurepay;
