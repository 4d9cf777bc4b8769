//! API Gateway HTTP API (payload v2) events to and from plain `http` types.
//!
//! We convert the raw event ourselves rather than through `lambda_http`'s adapter: that
//! adapter panics on an invalid base64 body before any handler runs, and its form
//! decoding assumes UTF-8, while WorldPay's callbacks are Latin-1.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use thiserror::Error;

use selectpay_app::App;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum BadEvent {
    #[error("the body is marked base64 but is not valid base64")]
    InvalidBase64,
    #[error("the path or query string is not a valid URI")]
    InvalidUri,
}

pub fn to_http_request(event: ApiGatewayV2httpRequest) -> Result<Request<Bytes>, BadEvent> {
    let body = match (event.body, event.is_base64_encoded) {
        (None, _) => Bytes::new(),
        (Some(body), false) => Bytes::from(body),
        (Some(body), true) => STANDARD
            .decode(body.as_bytes())
            .map(Bytes::from)
            .map_err(|_| BadEvent::InvalidBase64)?,
    };
    let path = event
        .raw_path
        .or(event.request_context.http.path)
        .unwrap_or_else(|| "/".to_owned());
    let uri = match event.raw_query_string.filter(|q| !q.is_empty()) {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut request = Request::builder()
        .method(event.request_context.http.method)
        .uri(uri)
        .body(body)
        .map_err(|_| BadEvent::InvalidUri)?;
    *request.headers_mut() = event.headers;
    Ok(request)
}

/// Text bodies go back as text; anything else base64-encoded, as API Gateway expects.
pub fn to_gateway_response(response: Response<Bytes>) -> ApiGatewayV2httpResponse {
    let (parts, body) = response.into_parts();
    let mut gateway = ApiGatewayV2httpResponse::default();
    gateway.status_code = i64::from(parts.status.as_u16());
    gateway.headers = parts.headers;
    match String::from_utf8(body.to_vec()) {
        Ok(text) => gateway.body = Some(Body::Text(text)),
        Err(_) => {
            gateway.body = Some(Body::Text(STANDARD.encode(&body)));
            gateway.is_base64_encoded = true;
        }
    }
    gateway
}

/// Handles one API Gateway event with the shared handlers.
pub async fn handle_event(app: &App, event: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    match to_http_request(event) {
        Ok(request) => to_gateway_response(app.handle(request).await),
        Err(error) => {
            tracing::warn!(%error, "malformed API Gateway event");
            let mut response = Response::new(Bytes::from(error.to_string()));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            to_gateway_response(response)
        }
    }
}
