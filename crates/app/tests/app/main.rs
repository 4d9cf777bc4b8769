//! The app's integration tests, in one binary so the harness is linked once.

#[macro_use]
mod support;

mod browser_backups;
mod callback_decisions;
mod claim_follow_up;
mod concurrency;
mod futurepay_callbacks;
mod futurepay_plan;
mod futurepay_sweep;
mod mail_queue;
mod opayo_purchases;
mod opayo_returns;
mod opayo_stale_carts;
mod payment_rules;
mod purchase_api;
mod query_string_callbacks;
mod replay;
mod seed_fixtures_and_charsets;
