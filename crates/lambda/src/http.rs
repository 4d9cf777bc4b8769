//! `lambda_http` requests — API Gateway HTTP API (v2), REST API (v1) and ALB events — to and
//! from the shared handlers.
//!
//! The handlers get the body's raw bytes (`Body` derefs to `[u8]`), never
//! `RequestPayloadExt::payload()`: that decodes forms as UTF-8, while WorldPay's callbacks
//! declare their charset (often ISO-8859-1) inside the body itself. A body marked base64
//! that is not base64 cannot come from API Gateway or an ALB (they encode what they
//! received); `lambda_http` panics on a hand-made one and `lambda_runtime` reports that
//! invocation as an error and takes the next one (infra/runtime_emulator.py shows it).

use bytes::Bytes;
use lambda_http::{Body, Request, Response};

use selectpay_app::App;

/// Handles one HTTP event with the shared handlers.
pub async fn handle(app: &App, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = Bytes::copy_from_slice(&body);
    let response = app.handle(http::Request::from_parts(parts, body)).await;
    to_lambda_response(response)
}

/// Text bodies go back as text; anything else as binary, which `lambda_http` base64-encodes.
fn to_lambda_response(response: Response<Bytes>) -> Response<Body> {
    response.map(|body| {
        if body.is_empty() {
            return Body::Empty;
        }
        match String::from_utf8(body.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(bytes) => Body::Binary(bytes.into_bytes()),
        }
    })
}
