// One event at a time: a single-threaded runtime starts faster and runs leaner.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), selectpay_lambda::Error> {
    selectpay_lambda::run_callback().await
}
