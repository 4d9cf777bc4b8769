//! The carts `selectpay simulate` plays the gateway for: read through the carts API, or
//! bought fresh through the purchase API so each simulation stands on its own.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use selectpay_app::config::Config;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What a fresh cart is bought with: the README's tea, or a monthly FuturePay subscription
/// when the simulation reports an agreement.
fn purchase_body(name: &str, email: &str, future_pay: bool) -> Value {
    let shopper = json!({ "name": name, "email": email });
    if future_pay {
        json!({
            "amount": "9.99", "currency": "GBP", "description": "Tea club", "shopper": shopper,
            "futurePay": {"type": "regular", "option": 0,
                          "startDelay": {"unit": "week", "mult": 1},
                          "interval": {"unit": "month", "mult": 1}, "normalAmount": "9.99"}
        })
    } else {
        json!({ "amount": "14.99", "currency": "GBP", "description": "Tea for two", "shopper": shopper })
    }
}

pub struct CartApi<'a> {
    pub client: &'a reqwest::Client,
    pub server: &'a str,
    pub config: &'a Config,
}

impl CartApi<'_> {
    /// `POST /purchase`; the new cart's id.
    pub async fn buy(&self, name: &str, email: &str, future_pay: bool) -> Result<String, Error> {
        let mut request = self
            .client
            .post(format!("{}/purchase", self.server))
            .json(&purchase_body(name, email, future_pay));
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match body["cartId"].as_str() {
            Some(cart_id) if status.is_success() => Ok(cart_id.to_owned()),
            _ => Err(format!(
                "the purchase API on {} answered {status}: {body}",
                self.server
            )
            .into()),
        }
    }

    /// `GET /carts/{cartId}` as JSON, or `None` if the server has no such cart (or refuses).
    pub async fn cart(&self, cart_id: &str) -> Result<Option<Value>, Error> {
        let mut request = self
            .client
            .get(format!(
                "{}/carts/{}",
                self.server,
                utf8_percent_encode(cart_id, NON_ALPHANUMERIC)
            ))
            .header(http::header::ACCEPT, "application/json");
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await?;
        Ok(if response.status().is_success() {
            Some(response.json().await?)
        } else {
            None
        })
    }
}
