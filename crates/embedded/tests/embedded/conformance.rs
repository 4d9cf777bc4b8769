//! The store conformance suite, on an in-memory database and on a database file.

use selectpay_embedded::SqliteStore;
use selectpay_store_conformance::store_conformance_tests;

mod in_memory {
    use super::*;

    store_conformance_tests!(async { SqliteStore::in_memory().expect("in-memory store") });
}

mod file {
    use super::*;

    /// The folder must outlive the store, which each case drops when it likes: Cargo's
    /// scratch folder for integration tests is kept until `cargo clean`.
    async fn store() -> SqliteStore {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
        SqliteStore::open(dir.keep().join("selectpay.db")).expect("file store")
    }

    store_conformance_tests!(store());
}
