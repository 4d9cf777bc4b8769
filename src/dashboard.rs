//! `GET /` on the local server: what happened recently, for a person trying selectpay out.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use minijinja::{AutoEscape, Environment};
use serde_json::json;

use selectpay_app::App;
use selectpay_app::carts::agreement_json;
use selectpay_domain::ports::Inspect;

const TEMPLATE: &str = include_str!("dashboard.html");
const ROWS: usize = 20;

/// What the dashboard shows: the app's settings and the store's listings, which only it
/// (and the CLI) may read.
#[derive(Clone)]
pub struct Dashboard {
    pub app: Arc<App>,
    pub inspect: Arc<dyn Inspect>,
}

pub async fn dashboard(State(Dashboard { app, inspect }): State<Dashboard>) -> Response {
    let activity = match inspect.recent(ROWS).await {
        Ok(activity) => activity,
        Err(error) => return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
    };
    let agreements = match inspect.agreements(ROWS).await {
        Ok(agreements) => agreements,
        Err(error) => return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
    };
    let settings = &app.config().settings;
    let context = json!({
        "mode": settings.mode.to_string(),
        "installation_id": settings.installation_id.as_str(),
        "callback_url": settings.public_base_url.join("/callback"),
        "carts": activity.carts.iter().map(|c| json!({
            "id": c.id.as_str(),
            "status": c.status.as_str(),
            "amount": c.order.amount.to_string(),
            "description": c.order.description,
            "created_at": c.created_at.to_string(),
        })).collect::<Vec<_>>(),
        "payments": activity.payments.iter().map(|p| json!({
            "trans_id": p.trans_id.as_str(),
            "cart_id": p.cart_id.as_str(),
            "status": p.status.label(),
            "amount": format!("{} {}", p.amount, p.currency),
            "received_at": p.received_at.to_string(),
        })).collect::<Vec<_>>(),
        "deliveries": activity.deliveries.iter().map(|d| json!({
            "received_at": d.received_at.to_string(),
            "outcome": d.outcome,
            "cart_id": d.cart_id,
            "raw": String::from_utf8_lossy(&d.raw),
        })).collect::<Vec<_>>(),
        "agreements": agreements.iter().map(agreement_json).collect::<Vec<_>>(),
        "mails": activity.mails.iter().map(|m| json!({
            "kind": m.mail.kind.as_str(),
            "to": m.mail.to.as_str(),
            "subject": m.mail.subject,
            "sent": m.sent_at.is_some(),
        })).collect::<Vec<_>>(),
    });
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    match env.render_str(TEMPLATE, context) {
        Ok(page) => Html(page).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
