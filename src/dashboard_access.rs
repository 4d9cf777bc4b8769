//! Who may see the dashboard: anyone on this machine when the server listens on loopback;
//! otherwise only who gives the API key, which a browser asks for (HTTP Basic, any user name).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};

use selectpay_domain::secret::Secret;

#[derive(Clone)]
pub enum DashboardAccess {
    /// The server listens on loopback: only this machine reaches it.
    Open,
    /// The API key is needed; with none configured, nobody gets in.
    KeyRequired(Option<Arc<Secret>>),
}

pub async fn require_api_key(
    State(access): State<DashboardAccess>,
    request: Request,
    next: Next,
) -> Response {
    let key = match &access {
        DashboardAccess::Open => return next.run(request).await,
        DashboardAccess::KeyRequired(key) => key,
    };
    match key {
        Some(key) if presents(request.headers(), key) => next.run(request).await,
        _ => (
            StatusCode::UNAUTHORIZED,
            [(
                WWW_AUTHENTICATE,
                r#"Basic realm="selectpay dashboard: the API key as password""#,
            )],
            "Unauthorized",
        )
            .into_response(),
    }
}

/// Whether the request carries the key, as a bearer token or as a Basic password.
fn presents(headers: &HeaderMap, key: &Secret) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        return key.matches(token.trim());
    }
    value
        .strip_prefix("Basic ")
        .and_then(|encoded| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(_, password)| key.matches(password))
        })
        .unwrap_or(false)
}
