//! `selectpay serve --fake-remote-admin`: WorldPay's remote administration played by the
//! local server in test mode, so the sweep can be seen cancelling an agreement end to end.

use axum::response::IntoResponse;

/// Where the fake listens, under the server's base URL.
pub const PATH: &str = "/fake-remote-admin";

/// What WorldPay answers an `op-cancelFP` it carried out.
pub async fn cancel_agreement() -> impl IntoResponse {
    "Y,Agreement cancelled"
}
