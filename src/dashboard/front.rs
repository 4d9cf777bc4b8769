//! `GET /`: what needs a person first, then the latest carts, agreements, deliveries and mail,
//! with a search by cart id or transaction id.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use selectpay_app::App;
use selectpay_app::carts::agreement_json;
use selectpay_domain::ids::CartId;
use selectpay_domain::ports::{Activity, Inspect};

use super::labels::{badge, needs_a_person, time};
use super::{Dashboard, cart_href, render, unavailable};

/// How many of the latest records of each kind the page looks at.
const ROWS: usize = 100;
/// Carts listed under "Recent carts".
const RECENT_CARTS: usize = 20;
/// Mail unsent for longer than this has failed at least once (the first send is immediate).
const MAIL_OVERDUE: time::Duration = time::Duration::minutes(2);

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

pub async fn dashboard(
    State(Dashboard { app, inspect }): State<Dashboard>,
    Query(search): Query<Search>,
) -> Response {
    let query = search.q.as_deref().map(str::trim).unwrap_or("");
    if !query.is_empty() {
        match find(&app, inspect.as_ref(), query).await {
            Ok(Some(cart_id)) => return Redirect::to(&cart_href(cart_id.as_str())).into_response(),
            Ok(None) => {}
            Err(error) => return unavailable(error),
        }
    }
    let activity = match inspect.recent(ROWS).await {
        Ok(activity) => activity,
        Err(error) => return unavailable(error),
    };
    let agreements = match inspect.agreements(RECENT_CARTS).await {
        Ok(agreements) => agreements,
        Err(error) => return unavailable(error),
    };
    let settings = &app.config().settings;
    let now = time::OffsetDateTime::now_utc();
    render(
        "front.html",
        json!({
            "mode": settings.mode.to_string(),
            "installation_id": settings.installation_id.as_str(),
            "callback_url": settings.public_base_url.join("/callback"),
            "query": query,
            "not_found": !query.is_empty(),
            "attention": attention(&activity, now),
            "carts": activity.carts.iter().take(RECENT_CARTS).map(|c| json!({
                "id": c.id.as_str(),
                "badge": badge(c.status.as_str()),
                "amount": c.order.amount.to_string(),
                "description": c.order.description,
                "created_at": time(c.created_at),
            })).collect::<Vec<_>>(),
            "agreements": agreements.iter().map(|a| {
                let mut shown = agreement_json(a);
                shown["badge"] = badge(a.status.as_str());
                shown
            }).collect::<Vec<_>>(),
            "deliveries": activity.deliveries.iter().take(RECENT_CARTS).map(|d| json!({
                "received_at": time(d.received_at),
                "badge": badge(&d.outcome),
                "cart_id": d.cart_id,
                "trans_id": d.trans_id,
            })).collect::<Vec<_>>(),
        }),
    )
}

/// A cart id, else the cart of a payment with that transaction id.
async fn find(
    app: &App,
    inspect: &dyn Inspect,
    query: &str,
) -> Result<Option<CartId>, selectpay_domain::ports::StoreError> {
    if let Ok(cart_id) = CartId::parse(query)
        && app.store().cart(&cart_id).await?.is_some()
    {
        return Ok(Some(cart_id));
    }
    inspect.cart_of_transaction(query).await
}

/// What a person must look at, newest first: payments held for review or paid twice,
/// conflicting repeats and other odd deliveries, refused callbacks (one line per reason, as
/// they come in bursts), and mail that has not gone out.
fn attention(activity: &Activity, now: time::OffsetDateTime) -> Vec<Value> {
    let mut items: Vec<(time::OffsetDateTime, Value)> = Vec::new();
    for payment in &activity.payments {
        let label = payment.status.label();
        if needs_a_person(&label) {
            items.push((
                payment.received_at,
                json!({
                    "badge": badge(&label),
                    "cart_id": payment.cart_id.as_str(),
                    "summary": format!("payment {} of {} {}", payment.trans_id, payment.amount, payment.currency),
                }),
            ));
        }
    }
    let mut refused: BTreeMap<&str, (usize, time::OffsetDateTime)> = BTreeMap::new();
    for delivery in &activity.deliveries {
        let label = delivery.outcome.as_str();
        if label.starts_with("forbidden:") {
            let (count, latest) = refused.entry(label).or_insert((0, delivery.received_at));
            *count += 1;
            *latest = (*latest).max(delivery.received_at);
        } else if needs_a_person(label)
            && !label.starts_with("review:")
            && label != "double_payment"
        {
            // Reviews and double payments are listed with their payment above.
            items.push((
                delivery.received_at,
                json!({
                    "badge": badge(label),
                    "cart_id": delivery.cart_id,
                    "summary": format!("callback for transaction {}", delivery.trans_id.as_deref().unwrap_or("(none)")),
                }),
            ));
        }
    }
    for (label, (count, latest)) in refused {
        items.push((
            latest,
            json!({
                "badge": badge(label),
                "cart_id": null,
                "summary": format!("{count} callback(s) refused as not from WorldPay"),
            }),
        ));
    }
    for stored in &activity.mails {
        if stored.sent_at.is_none() && now - stored.mail.created_at > MAIL_OVERDUE {
            items.push((
                stored.mail.created_at,
                json!({
                    "badge": badge("not_sent"),
                    "cart_id": stored.mail.cart_id.as_ref().map(|c| c.as_str()),
                    "summary": format!("{} “{}”", stored.mail.kind.as_str(), stored.mail.subject),
                }),
            ));
        }
    }
    items.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    items
        .into_iter()
        .map(|(at, mut item)| {
            item["at"] = time(at).into();
            item
        })
        .collect()
}
