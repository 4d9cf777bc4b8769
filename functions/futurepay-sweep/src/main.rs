#[tokio::main]
async fn main() -> Result<(), selectpay_lambda::Error> {
    selectpay_lambda::run(selectpay_lambda::Function::FuturePaySweep).await
}
