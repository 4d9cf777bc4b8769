//! `selectpay simulate opayo ok|abort|notauthed <cartId>`: plays the shopper's browser coming
//! back from Opayo Form to a running server, once or, with `--refresh N`, N times with the
//! very same result, as refreshes, the back button and bookmarks bring it.

use std::sync::Arc;

use clap::ValueEnum;

use selectpay_domain::ids::CartId;
use selectpay_domain::opayo::{OpayoAmount, ReturnFields, Status, VpsTxId};

use crate::local::CliResult;
use crate::simulate::{cart_terms, post_all, print_report, setup};
use crate::simulate_cart::CartApi;
use crate::simulate_report::Report;

#[derive(Clone, Copy, ValueEnum)]
enum OpayoResult {
    Ok,
    Abort,
    Notauthed,
}

impl OpayoResult {
    /// The status and a detail such as Opayo writes.
    fn status(self) -> (Status, &'static str) {
        match self {
            OpayoResult::Ok => (Status::Ok, "0000 : The Authorisation was Successful."),
            OpayoResult::Abort => (Status::Abort, "2007 : User cancelled the transaction."),
            OpayoResult::Notauthed => (
                Status::NotAuthed,
                "2000 : The Authorisation was Declined by the bank.",
            ),
        }
    }
}

#[derive(clap::Args)]
pub struct OpayoArgs {
    #[arg(value_enum)]
    result: OpayoResult,
    cart_id: String,
    /// The selectpay server the browser returns to.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    server: String,
    /// Bring the same result back this many times in all.
    #[arg(long, default_value_t = 1)]
    refresh: usize,
    /// Amount to report instead of the cart's (to try a mismatch), e.g. `1,234.56`.
    #[arg(long)]
    amount: Option<String>,
    /// Opayo's transaction id to report; a new one by default.
    #[arg(long)]
    vps_tx_id: Option<String>,
    /// Print the replies and the cart afterwards as one JSON document.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: OpayoArgs) -> CliResult {
    let (config, server, client) = setup(&args.server)?;
    let password = config
        .opayo
        .as_ref()
        .and_then(|opayo| opayo.encryption_password.clone())
        .ok_or(
            "Opayo is not offered: set SELECTPAY_GATEWAYS=worldpay,opayo here and on the server",
        )?;
    let api = CartApi {
        client: &client,
        server: &server,
        config: &config,
    };
    let cart = api.cart(&args.cart_id).await?;
    let terms = cart_terms(cart.as_ref(), &args.cart_id, &server, &args.amount, &None)?;
    let vps_tx_id = args.vps_tx_id.clone().unwrap_or_else(|| {
        let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        format!("{{SIMULATED-{nanos:X}}}")
    });
    let (status, detail) = args.result.status();
    let paid = status == Status::Ok;
    let fields = ReturnFields {
        status,
        status_detail: Some(detail.to_owned()),
        cart_id: CartId::parse(&args.cart_id).map_err(|e| format!("cart id {e}"))?,
        vps_tx_id: Some(VpsTxId::parse(&vps_tx_id).ok_or("--vps-tx-id must be visible ASCII")?),
        tx_auth_no: paid.then(|| "8661".to_owned()),
        amount: Some(OpayoAmount::parse(&terms.amount).map_err(|e| format!("amount: {e}"))?),
        avs_cv2: paid.then(|| "ALL MATCH".to_owned()),
        address_result: paid.then(|| "MATCHED".to_owned()),
        post_code_result: paid.then(|| "MATCHED".to_owned()),
        cv2_result: paid.then(|| "MATCHED".to_owned()),
        three_d_secure_status: paid.then(|| "OK".to_owned()),
        card_type: Some("VISA".to_owned()),
        last4_digits: Some("0006".to_owned()),
        decline_code: (!paid).then(|| "05".to_owned()),
        bank_auth_code: paid.then(|| "999777".to_owned()),
    };
    let crypt = fields.crypt(&password)?;
    let request = client.get(format!("{server}/return/opayo?crypt={crypt}"));
    let replies = post_all(Arc::new(request), args.refresh.max(1), 1).await?;
    let report = Report {
        cart: api.cart(&args.cart_id).await?,
        cart_id: args.cart_id,
        created: false,
        replies,
    };
    print_report(&report, &server, args.json)
}
