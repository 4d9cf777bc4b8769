//! The domain's integration tests, in one binary.

mod decide;
mod decide_futurepay;
mod never_panics;
mod opayo_properties;
mod opayo_python;
mod support;
mod verify_futurepay;
