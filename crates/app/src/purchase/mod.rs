//! `POST /purchase`: a new cart and the purchase token the shopper's browser posts to
//! WorldPay.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::ACCEPT;
use http::{Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;

use selectpay_domain::cart::{Cart, CartStatus};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::gateway::{Gateway, Gateways};
use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::ports::StoreError;
use selectpay_domain::text::one_line;
use selectpay_domain::token::PurchaseToken;

mod future_pay;
mod opayo;
mod unsigned_plan;

use self::future_pay::parse_future_pay;
use crate::reply::{self, HandlerError};
use crate::{App, MAX_REQUEST_BYTES, authorised, random_bytes};

/// Field name → what is wrong with it, in a stable order.
type FieldErrors = BTreeMap<String, String>;

const SHOPPER_FIELDS: &[(&str, usize)] = &[
    ("name", 255),
    ("email", 254),
    ("address1", 255),
    ("address2", 255),
    ("address3", 255),
    ("town", 255),
    ("postcode", 20),
    ("country", 2),
    ("tel", 30),
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenReply<'a> {
    cart_id: &'a str,
    action: &'a str,
    method: &'static str,
    fields: Map<String, Value>,
}

impl App {
    pub(crate) async fn purchase(&self, request: Request<Bytes>) -> Response<Bytes> {
        if !authorised(&request, self.config.api_key.as_ref()) {
            return reply::status(StatusCode::UNAUTHORIZED);
        }
        if request.body().len() > MAX_REQUEST_BYTES {
            return reply::status(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let today = self.clock.now().date();
        let cart = match parse_order(request.body(), today, &self.config.gateways)
            .map(|order| self.new_cart(order))
            .and_then(|cart| self.gateway_refusals(&cart).map(|()| cart))
        {
            Ok(cart) => cart,
            Err(errors) => {
                return reply::json(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &serde_json::json!({ "error": "invalid_request", "fields": errors }),
                );
            }
        };
        let created = self.insert_cart(cart).await;
        let token = created.and_then(|cart| self.purchase_form(&cart).map(|token| (cart, token)));
        let (cart, token) = match token {
            Ok(created) => created,
            Err(error) => {
                tracing::error!(%error, bug = error.is_bug(), "cart not created");
                return error.response();
            }
        };
        tracing::info!(target: "selectpay::purchase", cart_id = %cart.id, gateway = %cart.order.gateway, "cart created");
        if cart.order.future_pay.is_some() {
            unsigned_plan::warn_once_if_unsigned(&self.config.settings);
        }
        if wants_html(&request) {
            let page = self.templates.render(
                "purchase_form.html",
                serde_json::json!({
                    "cart_id": cart.id.as_str(),
                    "action": token.action,
                    "fields": token.fields,
                    "amount": cart.order.amount.to_string(),
                }),
            );
            return match page {
                Ok(page) => reply::html(StatusCode::CREATED, page),
                Err(error) => {
                    tracing::error!(%error, "purchase form not rendered");
                    HandlerError::from(error).response()
                }
            };
        }
        reply::json(
            StatusCode::CREATED,
            &TokenReply {
                cart_id: cart.id.as_str(),
                action: token.action,
                method: "POST",
                fields: token
                    .fields
                    .iter()
                    .map(|(n, v)| (n.clone(), Value::String(v.clone())))
                    .collect(),
            },
        )
    }

    fn new_cart(&self, order: Order) -> Cart {
        Cart {
            id: CartId::from_random(random_bytes()),
            order,
            status: CartStatus::Pending,
            paid_by: None,
            created_at: self.clock.now(),
        }
    }

    /// What the cart's gateway would refuse, named as a purchase field, checked before the
    /// cart is stored so a refused order leaves nothing behind.
    fn gateway_refusals(&self, cart: &Cart) -> Result<(), FieldErrors> {
        let (Gateway::Opayo, Some(config)) = (cart.order.gateway, &self.config.opayo) else {
            return Ok(());
        };
        let problems = opayo::request(&self.config.settings, config, cart).problems();
        let mut refusals = FieldErrors::new();
        for error in &problems {
            // Billing and delivery fields come from the same purchase field: the first says it.
            let field = opayo::purchase_field(error).to_owned();
            refusals
                .entry(field)
                .or_insert_with(|| opayo::refusal(error));
        }
        if refusals.is_empty() {
            Ok(())
        } else {
            Err(refusals)
        }
    }

    /// The form the shopper's browser posts to the cart's gateway.
    fn purchase_form(&self, cart: &Cart) -> Result<PurchaseToken, HandlerError> {
        match (cart.order.gateway, &self.config.opayo) {
            (Gateway::WorldPay, _) => Ok(PurchaseToken::for_cart(&self.config.settings, cart)),
            (Gateway::Opayo, Some(config)) => opayo::form(&self.config.settings, config, cart),
            (Gateway::Opayo, None) => Err(HandlerError::NotConfigured("SELECTPAY_OPAYO_VENDOR")),
        }
    }

    async fn insert_cart(&self, mut cart: Cart) -> Result<Cart, HandlerError> {
        // 128 random bits do not collide in practice; a second draw costs nothing if they do.
        match self.store.insert_cart(&cart).await {
            Err(StoreError::AlreadyExists) => {
                cart.id = CartId::from_random(random_bytes());
                self.store.insert_cart(&cart).await?;
            }
            result => result?,
        }
        Ok(cart)
    }
}

fn wants_html(request: &Request<Bytes>) -> bool {
    request
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Parses the JSON body into an order, naming every bad field rather than the first.
fn parse_order(body: &[u8], today: Date, gateways: &Gateways) -> Result<Order, FieldErrors> {
    let mut errors = FieldErrors::new();
    // The first reason a field is bad is the one said: a later rule that only sees the
    // field as missing (a plan's amount that did not parse) must not hide why.
    let mut fail = |name: &str, reason: String| {
        errors.entry(name.to_owned()).or_insert(reason);
    };
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        fail("body", "must be a JSON object".into());
        return Err(errors);
    };

    let currency = match object.remove("currency") {
        Some(Value::String(code)) => Currency::parse(&code)
            .map_err(|e| fail("currency", e.to_string()))
            .ok(),
        Some(_) => {
            fail("currency", "must be a string such as \"GBP\"".into());
            None
        }
        None => {
            fail("currency", "is required".into());
            None
        }
    };
    let amount = match object.remove("amount") {
        // Checked against GBP's two decimals when the currency is bad, so that a bad amount
        // is named too; only a good currency makes a usable amount.
        Some(Value::String(amount)) => {
            let gbp = || Currency::parse("GBP").expect("GBP is a currency");
            let checked_as = currency.unwrap_or_else(gbp);
            Money::parse(&amount, checked_as)
                .map_err(|e| fail("amount", e.to_string()))
                .ok()
                .filter(|_| currency.is_some())
        }
        Some(_) => {
            fail("amount", "must be a string such as \"14.99\"".into());
            None
        }
        None => {
            fail("amount", "is required".into());
            None
        }
    };
    let future_pay = match object.remove("futurePay") {
        None | Some(Value::Null) => None,
        Some(Value::Object(plan)) => parse_future_pay(plan, currency, today, &mut fail),
        Some(_) => {
            fail("futurePay", "must be an object".into());
            None
        }
    };
    let gateway = match object.remove("gateway") {
        None | Some(Value::Null) => Some(gateways.default_gateway()),
        Some(Value::String(name)) => match name.parse::<Gateway>() {
            Ok(gateway) if gateways.offers(gateway) => Some(gateway),
            Ok(_) => {
                fail("gateway", "is not offered by this shop".into());
                None
            }
            Err(error) => {
                fail("gateway", error.to_string());
                None
            }
        },
        Some(_) => {
            fail("gateway", "must be a string such as \"worldpay\"".into());
            None
        }
    };
    if gateway == Some(Gateway::Opayo) && future_pay.is_some() {
        fail(
            "futurePay",
            "is a WorldPay service, not offered through Opayo".into(),
        );
    }
    // Only an agreement may have nothing to charge at once.
    let nothing_now = amount.is_some_and(|a| a.minor_units() == 0);
    if nothing_now && future_pay.is_none() {
        fail("amount", "must be more than zero".into());
    }
    let description = match object.remove("description") {
        Some(Value::String(text)) => one_line(text.trim(), Order::MAX_DESCRIPTION_LEN)
            .map_err(|e| fail("description", e.to_string()))
            .ok(),
        _ => {
            fail("description", "is required and must be a string".into());
            None
        }
    };
    let shopper = match object.remove("shopper") {
        None | Some(Value::Null) => Shopper::default(),
        Some(Value::Object(fields)) => parse_shopper(fields, &mut fail),
        Some(_) => {
            fail("shopper", "must be an object".into());
            Shopper::default()
        }
    };
    let custom_fields = match object.remove("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(fields)) => fields
            .into_iter()
            .filter_map(|(name, value)| {
                let key = format!("fields.{name}");
                match value {
                    Value::String(value) => CustomField::parse(&name, &value)
                        .map_err(|e| fail(&key, e.to_string()))
                        .ok(),
                    _ => {
                        fail(&key, "must be a string".into());
                        None
                    }
                }
            })
            .collect(),
        Some(_) => {
            fail("fields", "must be an object".into());
            Vec::new()
        }
    };
    for unknown in object.keys() {
        fail(unknown, "is not a purchase field".into());
    }
    match (amount, description, gateway) {
        (Some(amount), Some(description), Some(gateway)) if errors.is_empty() => Ok(Order {
            amount,
            description,
            gateway,
            shopper,
            custom_fields,
            future_pay,
        }),
        _ => Err(errors),
    }
}

fn parse_shopper(mut fields: Map<String, Value>, fail: &mut impl FnMut(&str, String)) -> Shopper {
    let mut shopper = Shopper::default();
    for &(name, max_len) in SHOPPER_FIELDS {
        let key = format!("shopper.{name}");
        let value = match fields.remove(name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(value)) => value,
            Some(_) => {
                fail(&key, "must be a string".into());
                continue;
            }
        };
        let valid = one_line(value.trim(), max_len)
            .map_err(|e| e.to_string())
            .and_then(|text| match name {
                "email" => EmailAddress::parse(&text)
                    .map(|e| e.to_string())
                    .map_err(|e| e.to_string()),
                "country" if !text.bytes().all(|b| b.is_ascii_uppercase()) || text.len() != 2 => {
                    Err("must be a two-letter ISO 3166 code such as GB".into())
                }
                _ => Ok(text),
            });
        let slot = match name {
            "name" => &mut shopper.name,
            "email" => &mut shopper.email,
            "address1" => &mut shopper.address1,
            "address2" => &mut shopper.address2,
            "address3" => &mut shopper.address3,
            "town" => &mut shopper.town,
            "postcode" => &mut shopper.postcode,
            "country" => &mut shopper.country,
            _ => &mut shopper.tel,
        };
        match valid {
            Ok(text) => *slot = Some(text),
            Err(reason) => fail(&key, reason),
        }
    }
    for unknown in fields.keys() {
        fail(
            &format!("shopper.{unknown}"),
            "is not a shopper field".into(),
        );
    }
    shopper
}

#[cfg(test)]
mod tests;
