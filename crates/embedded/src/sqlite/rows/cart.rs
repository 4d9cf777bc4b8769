//! A cart: its row, written once when the purchase is made and changed only in status
//! and payer; read back whole or as the state the decision table needs.

use rusqlite::{Connection, Row, params};
use selectpay_domain::cart::{Cart, CartState, CartStatus};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::store::time_text::encode as encode_time;
use selectpay_domain::store::{CartChange, StoreError};

use super::{cart_id, corrupt, get, json, optional_json, time, to_json, trans_id};
use crate::sqlite::queries::execute;

pub const TABLE: &str = "
CREATE TABLE IF NOT EXISTS carts (
    id TEXT PRIMARY KEY NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    shopper TEXT NOT NULL,          -- JSON object
    custom_fields TEXT NOT NULL,    -- JSON array of {name, value}
    status TEXT NOT NULL,
    paid_by TEXT,
    created_at TEXT NOT NULL,
    future_pay TEXT,                -- JSON FuturePayPlan; NULL for a one-off payment
    gateway TEXT NOT NULL DEFAULT 'worldpay'
) STRICT;
CREATE INDEX IF NOT EXISTS carts_by_created ON carts (created_at);
";

pub fn insert_cart(conn: &Connection, cart: &Cart) -> Result<(), StoreError> {
    let amount = cart.order.amount;
    let minor_units = i64::try_from(amount.minor_units())
        .map_err(|_| StoreError::invariant(format!("amount {amount} is too large to store")))?;
    execute(
        conn,
        "INSERT INTO carts (id, amount_minor, currency, description, shopper, custom_fields,
                            status, paid_by, created_at, future_pay, gateway)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            cart.id.as_str(),
            minor_units,
            amount.currency().code(),
            cart.order.description,
            to_json(&cart.order.shopper)?,
            to_json(&cart.order.custom_fields)?,
            cart.status.as_str(),
            cart.paid_by.as_ref().map(|t| t.as_str()),
            encode_time(cart.created_at)?,
            cart.order.future_pay.as_ref().map(to_json).transpose()?,
            cart.order.gateway.as_str(),
        ],
    )
    .map(drop)
}

/// Changes an existing cart; `false` if there is no such cart.
pub fn change_cart(conn: &Connection, change: &CartChange) -> Result<bool, StoreError> {
    let changed = execute(
        conn,
        "UPDATE carts SET status = ?2, paid_by = ?3 WHERE id = ?1",
        params![
            change.cart_id.as_str(),
            change.status.as_str(),
            change.paid_by.as_ref().map(|t| t.as_str()),
        ],
    )?;
    Ok(changed > 0)
}

pub fn cart_state(row: &Row) -> Result<CartState, StoreError> {
    let status: String = get(row, "status")?;
    let minor_units: i64 = get(row, "amount_minor")?;
    let code: String = get(row, "currency")?;
    let currency = Currency::parse(&code).map_err(|e| corrupt("currency", e))?;
    let minor_units = u64::try_from(minor_units).map_err(|e| corrupt("amount_minor", e))?;
    Ok(CartState {
        status: CartStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        amount: Money::from_minor_units(minor_units, currency),
        paid_by: get::<Option<String>>(row, "paid_by")?
            .map(|t| trans_id(&t, "paid_by"))
            .transpose()?,
        future_pay: optional_json(row, "future_pay")?,
        description: get(row, "description")?,
    })
}

pub fn cart(row: &Row) -> Result<Cart, StoreError> {
    let state = cart_state(row)?;
    // The domain's Deserialize does not validate; parsing again does.
    let custom_fields: Vec<CustomField> = json(row, "custom_fields")?;
    let custom_fields = custom_fields
        .iter()
        .map(|f| CustomField::parse(f.name(), f.value()).map_err(|e| corrupt("custom_fields", e)))
        .collect::<Result<_, _>>()?;
    let gateway: String = get(row, "gateway")?;
    Ok(Cart {
        id: cart_id(row, "id")?,
        order: Order {
            amount: state.amount,
            description: state.description,
            shopper: json::<Shopper>(row, "shopper")?,
            custom_fields,
            future_pay: state.future_pay,
            gateway: gateway.parse().map_err(|e| corrupt("gateway", e))?,
        },
        status: state.status,
        paid_by: state.paid_by,
        created_at: time(row, "created_at")?,
    })
}
