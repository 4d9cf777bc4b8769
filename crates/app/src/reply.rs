//! Building HTTP responses, and the one place where errors become status codes.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{Response, StatusCode};
use serde::Serialize;
use thiserror::Error;

use selectpay_domain::ports::StoreError;
use selectpay_domain::render::RenderError;

pub fn status(status: StatusCode) -> Response<Bytes> {
    text(status, status.canonical_reason().unwrap_or("error"))
}

pub fn text(status: StatusCode, body: &str) -> Response<Bytes> {
    build(status, "text/plain; charset=utf-8", body.to_owned().into())
}

pub fn html(status: StatusCode, page: String) -> Response<Bytes> {
    build(status, "text/html; charset=utf-8", page.into())
}

pub fn json(status: StatusCode, value: &impl Serialize) -> Response<Bytes> {
    match serde_json::to_vec(value) {
        Ok(body) => build(status, "application/json", body.into()),
        Err(_) => self::status(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn build(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

/// Failures a handler cannot answer with its own page.
#[derive(Debug, Error)]
pub enum HandlerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("too many concurrent changes to the same cart")]
    Contention,
    #[error("the store did not answer in time")]
    Deadline,
}

impl HandlerError {
    /// A store that is down or contended answers 503, so the gateway retries and alerts
    /// with the data attached; anything else (corrupt data, a broken store contract, a
    /// template) is our bug, 500.
    pub fn status(&self) -> StatusCode {
        match self {
            HandlerError::Store(StoreError::Unavailable(_))
            | HandlerError::Contention
            | HandlerError::Deadline => StatusCode::SERVICE_UNAVAILABLE,
            HandlerError::Store(
                StoreError::Corrupt(_) | StoreError::Invariant(_) | StoreError::AlreadyExists,
            )
            | HandlerError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether this is a bug to be logged as one, not an outage to wait out.
    pub fn is_bug(&self) -> bool {
        self.status() == StatusCode::INTERNAL_SERVER_ERROR
    }

    pub fn response(&self) -> Response<Bytes> {
        status(self.status())
    }
}
