// A release build drops the unwind tables (../../no-unwind-tables.rs): only safe if nothing unwinds.
#[cfg(all(unwind_tables_dropped, panic = "unwind"))]
compile_error!("a release build without unwind tables needs panic = \"abort\"");

// One event at a time: a single-threaded runtime starts faster and runs leaner.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), selectpay_lambda::Error> {
    selectpay_lambda::run_sweep().await
}
