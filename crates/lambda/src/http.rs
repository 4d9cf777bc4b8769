//! `lambda_http` requests — API Gateway HTTP API (v2), REST API (v1) and ALB events — to and
//! from the shared handlers.
//!
//! The handlers get the body's raw bytes (`Body` derefs to `[u8]`), never
//! `RequestPayloadExt::payload()`: that decodes forms as UTF-8, while WorldPay's callbacks
//! declare their charset (often ISO-8859-1) inside the body itself. A body marked base64
//! that is not base64 cannot come from API Gateway or an ALB (they encode what they
//! received); `lambda_http` would panic on a hand-made one, and the release profile aborts
//! on a panic, so [`refuse_undecodable_body`] ends that invocation as an error first and the
//! runtime takes the next event (infra/runtime_emulator.py shows it).

use std::future::Future;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::Uri;
use lambda_http::request::LambdaRequest;
use lambda_http::{Body, Request, RequestExt, Response};

use selectpay_app::carts::RoutedCartId;

/// Handles one HTTP event with the shared handlers `route` leads to (e.g. `App::handle`,
/// or a function's own routes).
pub async fn handle<Routed>(
    request: Request,
    route: impl FnOnce(http::Request<Bytes>) -> Routed,
) -> Response<Body>
where
    Routed: Future<Output = Response<Bytes>>,
{
    // The `GET /carts/{cartId}` route's parameter, decoded by API Gateway.
    let cart_id = request.path_parameters().first("cartId").map(str::to_owned);
    let (mut parts, body) = request.into_parts();
    if let Some(cart_id) = cart_id {
        parts.extensions.insert(RoutedCartId(cart_id));
    }
    if let Some(uri) = without_stage(&parts.uri, parts.extensions.raw_http_path()) {
        parts.uri = uri;
    }
    let body = Bytes::copy_from_slice(&body);
    let response = route(http::Request::from_parts(parts, body)).await;
    to_lambda_response(response)
}

/// Refuses an event whose body is marked base64 but does not decode, with the engine
/// `lambda_http` decodes it with, before `lambda_http` converts the event.
pub fn refuse_undecodable_body(event: &LambdaRequest) -> Result<(), crate::Error> {
    let (marked_base64, body) = match event {
        LambdaRequest::ApiGatewayV2(event) => (event.is_base64_encoded, &event.body),
        LambdaRequest::ApiGatewayV1(event) => (event.is_base64_encoded, &event.body),
        LambdaRequest::Alb(event) => (event.is_base64_encoded, &event.body),
        _ => return Ok(()),
    };
    match body {
        Some(body) if marked_base64 && STANDARD.decode(body).is_err() => {
            Err("the event's body is marked base64 but is not base64".into())
        }
        _ => Ok(()),
    }
}

/// A REST API (v1) event's URI starts with its stage (`/prod/callback`); the routes are the
/// path the client asked for, which `lambda_http` keeps as the raw HTTP path.
fn without_stage(uri: &Uri, raw_path: &str) -> Option<Uri> {
    if raw_path.is_empty() || raw_path == uri.path() {
        return None;
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{raw_path}?{query}"),
        None => raw_path.to_owned(),
    };
    Uri::builder().path_and_query(path_and_query).build().ok()
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
