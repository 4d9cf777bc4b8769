//! The app's integration tests, in one binary so the harness is linked once.

mod callback_decisions;
mod concurrency;
mod futurepay_callbacks;
mod futurepay_sweep;
mod purchase_api;
mod seed_fixtures_and_charsets;
mod support;
