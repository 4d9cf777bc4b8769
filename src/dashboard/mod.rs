//! The local server's dashboard: the front page (what needs a person, recent carts, search)
//! and a page per cart telling its story. Plain HTML that refreshes itself; no JavaScript.

mod cart_page;
mod front;
mod labels;

use axum::response::{Html, IntoResponse, Response};
use http::header::ACCEPT;
use http::{HeaderMap, StatusCode};
use minijinja::{AutoEscape, Environment};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use std::sync::Arc;

use axum::extract::FromRef;
use selectpay_app::App;
use selectpay_domain::ports::Inspect;

pub use cart_page::cart_page;
pub use front::dashboard;

/// What the dashboard shows: the app's settings and the store's listings, which only it
/// (and the CLI) may read. The server's other routes take the app alone.
#[derive(Clone)]
pub struct Dashboard {
    pub app: Arc<App>,
    pub inspect: Arc<dyn Inspect>,
}

impl FromRef<Dashboard> for Arc<App> {
    fn from_ref(state: &Dashboard) -> Self {
        Arc::clone(&state.app)
    }
}

/// Seconds between a page's reloads.
const REFRESH_SECONDS: u32 = 10;

/// Whether a request to `/carts/{cartId}` comes from a browser (which asks for HTML) rather
/// than from a program using the JSON API.
pub fn wants_page(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn render(template: &str, mut context: Value) -> Response {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_filter("cart_href", |cart_id: String| cart_href(&cart_id));
    let templates = [
        ("layout.html", include_str!("layout.html")),
        ("front.html", include_str!("front.html")),
        ("cart.html", include_str!("cart.html")),
    ];
    for (name, source) in templates {
        if let Err(error) = env.add_template(name, source) {
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    }
    context["refresh_seconds"] = REFRESH_SECONDS.into();
    match env
        .get_template(template)
        .and_then(|page| page.render(context))
    {
        Ok(page) => Html(page).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// The path of a cart's page.
fn cart_href(cart_id: &str) -> String {
    format!("/carts/{}", utf8_percent_encode(cart_id, NON_ALPHANUMERIC))
}

fn unavailable(error: impl std::fmt::Display) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response()
}
