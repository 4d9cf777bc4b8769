//! `GET /carts/{cartId}`: the order state a storefront shows.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use selectpay_domain::callback::risk::Avs;
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::ids::CartId;
use selectpay_domain::ports::{AwaitingCart, CartRecord};

use crate::reply::{self, HandlerError};
use crate::{App, authorised};

/// The `{cartId}` of a `GET /carts/{cartId}` request as the front door's router decoded it:
/// API Gateway's path parameters (through `lambda_http::RequestExt`) or axum's `Path`. A
/// request without it (an ALB, which does not route by path, or a direct caller) has its id
/// decoded from the path here.
#[derive(Debug, Clone)]
pub struct RoutedCartId(pub String);

impl App {
    pub(crate) async fn cart(&self, request: Request<Bytes>, raw_id: &str) -> Response<Bytes> {
        if !authorised(&request, self.config.api_key.as_ref()) {
            return reply::status(StatusCode::UNAUTHORIZED);
        }
        let id = match request.extensions().get::<RoutedCartId>() {
            Some(RoutedCartId(id)) => Some(id.clone()),
            None => percent_decode_str(raw_id)
                .decode_utf8()
                .ok()
                .map(|id| id.into_owned()),
        };
        let Some(cart_id) = id.and_then(|id| CartId::parse(&id).ok()) else {
            return reply::status(StatusCode::NOT_FOUND);
        };
        match self.store.cart(&cart_id).await {
            Ok(Some(record)) => reply::json(StatusCode::OK, &cart_json(&record)),
            Ok(None) => reply::status(StatusCode::NOT_FOUND),
            Err(error) => HandlerError::from(error).response(),
        }
    }
}

fn timestamp(at: time::OffsetDateTime) -> Value {
    at.format(&Rfc3339)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

/// A cart awaiting its shopper, as `selectpay carts --stale` lists it: what finds it at the
/// gateway, nothing about the shopper.
pub fn awaiting_cart_json(cart: &AwaitingCart) -> Value {
    json!({
        "cartId": cart.cart_id.as_str(),
        "createdAt": timestamp(cart.created_at),
        "amount": cart.amount.decimal(),
        "currency": cart.amount.currency().code(),
    })
}

/// The JSON view of a cart, its payments and its mails (without their bodies).
pub fn cart_json(record: &CartRecord) -> Value {
    let cart = &record.cart;
    json!({
        "cartId": cart.id.as_str(),
        "status": cart.status.as_str(),
        "amount": cart.order.amount.decimal(),
        "currency": cart.order.amount.currency().code(),
        "description": cart.order.description,
        "gateway": cart.order.gateway.as_str(),
        "paidBy": cart.paid_by.as_ref().map(|t| t.as_str()),
        // Whether the purchase set up a FuturePay agreement (its first callback creates it).
        "futurePay": cart.order.future_pay.is_some(),
        // The plan it sold, which every payment on its agreement is checked against.
        "futurePayPlan": cart.order.future_pay,
        "createdAt": timestamp(cart.created_at),
        "payments": record.payments.iter().map(|p| json!({
            "transId": p.trans_id.as_str(),
            "status": p.status.label(),
            "amount": p.amount,
            "currency": p.currency,
            "testMode": p.test_mode,
            "authMode": p.auth_mode,
            "avs": p.avs,
            "avsChecks": p.avs.as_deref().and_then(Avs::parse).map(avs_json),
            "receivedAt": timestamp(p.received_at),
        })).collect::<Vec<_>>(),
        "agreements": record.agreements.iter().map(agreement_json).collect::<Vec<_>>(),
        "mails": record.mails.iter().map(|m| json!({
            "id": m.mail.id,
            "kind": m.mail.kind.as_str(),
            "subject": m.mail.subject,
            "sentAt": m.sent_at.map(timestamp),
        })).collect::<Vec<_>>(),
    })
}

/// The four AVS digits by name, e.g. `{"cvv": "matched", "postcode": "not_matched", …}`.
fn avs_json(avs: Avs) -> Value {
    avs.checks()
        .map(|(check, result)| (check.as_str().to_owned(), Value::from(result.as_str())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// An agreement as the storefront and the operator see it: `suspended_overdue` while a
/// payment is overdue, `cancelled_for_non_payment` once WorldPay confirmed the cancellation,
/// `review` while its first payment is held.
pub fn agreement_json(agreement: &Agreement) -> Value {
    json!({
        "futurePayId": agreement.id.as_str(),
        "cartId": agreement.cart_id.as_str(),
        "status": agreement.status.as_str(),
        // Kept from its cart when it was created: its payments are checked against it.
        "plan": agreement.plan,
        "paymentsMade": agreement.payments_made,
        "paymentsExpected": agreement.payments_expected,
        "paymentsDeclined": agreement.payments_declined,
        "lastPaymentAt": agreement.last_payment_at.map(timestamp),
        "overdueAt": agreement.overdue_at.map(timestamp),
    })
}
