//! `GET /carts/{cartId}` in a browser: the order's story in time order — the purchase, every
//! delivery with its outcome and decoded fields, the payments, the agreement, each mail.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use selectpay_app::carts::agreement_json;
use selectpay_domain::ids::CartId;
use selectpay_domain::ports::{CartRecord, Delivery};

use super::labels::{badge, delivery_fields, time};
use super::{Dashboard, render, unavailable};

pub async fn cart_page(Dashboard { app, inspect }: &Dashboard, cart_id: &str) -> Response {
    let Ok(cart_id) = CartId::parse(cart_id) else {
        return (StatusCode::NOT_FOUND, "no such cart").into_response();
    };
    let record = match app.store().cart(&cart_id).await {
        Ok(Some(record)) => record,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such cart").into_response(),
        Err(error) => return unavailable(error),
    };
    let deliveries = match inspect.cart_deliveries(&cart_id).await {
        Ok(deliveries) => deliveries,
        Err(error) => return unavailable(error),
    };
    let cart = &record.cart;
    render(
        "cart.html",
        json!({
            "cart_id": cart.id.as_str(),
            "status_badge": badge(cart.status.as_str()),
            "amount": cart.order.amount.to_string(),
            "description": cart.order.description,
            "paid_by": cart.paid_by.as_ref().map(|t| t.as_str()),
            "agreements": record.agreements.iter().map(|a| {
                let mut shown = agreement_json(a);
                shown["badge"] = badge(a.status.as_str());
                shown["overdueAt"] = a.overdue_at.map(time).into();
                shown
            }).collect::<Vec<_>>(),
            "timeline": timeline(&record, &deliveries),
        }),
    )
}

/// One entry per event, oldest first.
fn timeline(record: &CartRecord, deliveries: &[Delivery]) -> Vec<Value> {
    let cart = &record.cart;
    let mut events: Vec<(OffsetDateTime, Value)> = vec![(
        cart.created_at,
        event(
            "purchase",
            "token_issued",
            format!("{}: {}", cart.order.amount, cart.order.description),
        ),
    )];
    for delivery in deliveries {
        let mut shown = event(
            "callback",
            &delivery.outcome,
            // The delivery id is what `selectpay replay --delivery` takes.
            format!(
                "transaction {}, delivery {}",
                delivery.trans_id.as_deref().unwrap_or("(none)"),
                delivery.id
            ),
        );
        shown["fields"] = delivery_fields(delivery);
        events.push((delivery.received_at, shown));
    }
    for payment in &record.payments {
        events.push((
            payment.received_at,
            event(
                "payment",
                &payment.status.label(),
                format!(
                    "{} {} by transaction {}{}",
                    payment.amount,
                    payment.currency,
                    payment.trans_id,
                    if payment.test_mode { " (test)" } else { "" }
                ),
            ),
        ));
    }
    for agreement in &record.agreements {
        events.push((
            agreement.created_at,
            event(
                "agreement",
                agreement.status.as_str(),
                format!(
                    "FuturePay {}: {} payment(s) made, overdue at {}",
                    agreement.id,
                    agreement.payments_made,
                    agreement.overdue_at.map_or("never".to_owned(), time)
                ),
            ),
        ));
    }
    for stored in &record.mails {
        events.push((
            stored.mail.created_at,
            event(
                "mail",
                if stored.sent_at.is_some() {
                    "sent"
                } else {
                    "not_sent"
                },
                format!(
                    "{} to {}: “{}”{}",
                    stored.mail.kind.as_str(),
                    stored.mail.to,
                    stored.mail.subject,
                    stored
                        .sent_at
                        .map_or(String::new(), |at| format!(", sent {}", time(at)))
                ),
            ),
        ));
    }
    events.sort_by_key(|(at, _)| *at);
    events
        .into_iter()
        .map(|(at, mut shown)| {
            shown["at"] = time(at).into();
            shown
        })
        .collect()
}

fn event(kind: &str, label: &str, summary: String) -> Value {
    json!({ "kind": kind, "badge": badge(label), "summary": summary })
}
