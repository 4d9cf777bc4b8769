#[tokio::main]
async fn main() -> Result<(), selectpay_lambda::Error> {
    selectpay_lambda::run_purchase_token().await
}
