#[tokio::main]
async fn main() -> Result<(), selectpay_lambda::Error> {
    selectpay_lambda::run_sweep().await
}
