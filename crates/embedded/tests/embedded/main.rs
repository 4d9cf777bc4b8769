//! The embedded adapters' integration tests, as one test binary (one link, not one per file).

mod conformance;
mod outbox;
