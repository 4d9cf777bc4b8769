//! A cart: one item, its FuturePay plan one JSON attribute.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::cart::{Cart, CartState, CartStatus};
use selectpay_domain::futurepay::FuturePayPlan;
use selectpay_domain::gateway::Gateway;
use selectpay_domain::ids::TransId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::store::StoreError;

use super::Fields;
use super::{insert_optional, n, s, time};
use crate::dynamodb::keys::*;

pub fn cart_item(cart: &Cart) -> Result<Item, StoreError> {
    let order = &cart.order;
    let shopper = order
        .shopper
        .token_fields()
        .map(|(name, value)| (name.to_owned(), s(value)))
        .collect();
    let custom_fields = order
        .custom_fields
        .iter()
        .map(|field| {
            AttributeValue::M(HashMap::from([
                ("name".to_owned(), s(field.name())),
                ("value".to_owned(), s(field.value())),
            ]))
        })
        .collect();
    let mut item = Key::cart(&cart.id).item();
    item.extend([
        (attr::CART_ID.to_owned(), s(cart.id.as_str())),
        (attr::AMOUNT_MINOR.to_owned(), n(order.amount.minor_units())),
        (attr::CURRENCY.to_owned(), s(order.amount.currency().code())),
        (attr::DESCRIPTION.to_owned(), s(&order.description)),
        (attr::GATEWAY.to_owned(), s(order.gateway.as_str())),
        (attr::SHOPPER.to_owned(), AttributeValue::M(shopper)),
        (
            attr::CUSTOM_FIELDS.to_owned(),
            AttributeValue::L(custom_fields),
        ),
        (attr::STATUS.to_owned(), s(cart.status.as_str())),
        (attr::CREATED_AT.to_owned(), time(cart.created_at)?),
    ]);
    insert_optional(
        &mut item,
        attr::PAID_BY,
        cart.paid_by.as_ref().map(TransId::as_str),
    );
    if let Some(plan) = &order.future_pay {
        // The plan only travels whole (to the token and to new agreements): one JSON
        // string, in the domain's own serde form, read back through the same checks.
        let json = serde_json::to_string(plan).map_err(StoreError::invariant)?;
        item.insert(attr::FUTURE_PAY.to_owned(), s(json));
    }
    Ok(item)
}

pub fn cart_state(item: &Item) -> Result<CartState, StoreError> {
    let fields = Fields(item);
    let status = fields.text(attr::STATUS)?;
    let code = fields.text(attr::CURRENCY)?;
    let currency = Currency::parse(code).map_err(|e| fields.corrupt(attr::CURRENCY, e))?;
    Ok(CartState {
        status: CartStatus::parse(status).ok_or_else(|| fields.corrupt(attr::STATUS, status))?,
        amount: Money::from_minor_units(fields.number(attr::AMOUNT_MINOR)?, currency),
        paid_by: fields
            .optional_text(attr::PAID_BY)?
            .map(|text| fields.trans_id(attr::PAID_BY, text))
            .transpose()?,
        future_pay: fields
            .optional_text(attr::FUTURE_PAY)?
            .map(|json| {
                serde_json::from_str::<FuturePayPlan>(json)
                    .map_err(|e| fields.corrupt(attr::FUTURE_PAY, e))
            })
            .transpose()?,
        description: fields.owned(attr::DESCRIPTION)?,
    })
}

pub fn cart(item: &Item) -> Result<Cart, StoreError> {
    let fields = Fields(item);
    let state = cart_state(item)?;
    let text_map = |name: &str, value: &AttributeValue| {
        let map = value
            .as_m()
            .map_err(|_| fields.corrupt(name, "not a map"))?;
        map.iter()
            .map(|(key, value)| Ok((key.clone(), fields.text_of(name, value)?.to_owned())))
            .collect::<Result<HashMap<_, _>, StoreError>>()
    };
    // Through serde, so that the field names are the domain's own.
    let shopper = text_map(attr::SHOPPER, fields.required(attr::SHOPPER)?)?;
    let shopper: Shopper = serde_json::to_value(shopper)
        .and_then(serde_json::from_value)
        .map_err(|e| fields.corrupt(attr::SHOPPER, e))?;
    let custom_fields = fields
        .required(attr::CUSTOM_FIELDS)?
        .as_l()
        .map_err(|_| fields.corrupt(attr::CUSTOM_FIELDS, "not a list"))?
        .iter()
        .map(|field| {
            let field = text_map(attr::CUSTOM_FIELDS, field)?;
            let part = |key: &str| field.get(key).map_or("", String::as_str);
            CustomField::parse(part("name"), part("value"))
                .map_err(|e| fields.corrupt(attr::CUSTOM_FIELDS, e))
        })
        .collect::<Result<_, _>>()?;
    // Carts written before there was a second gateway were all WorldPay's.
    let gateway = match fields.optional_text(attr::GATEWAY)? {
        None => Gateway::WorldPay,
        Some(name) => name.parse().map_err(|e| fields.corrupt(attr::GATEWAY, e))?,
    };
    Ok(Cart {
        id: fields.cart_id(attr::CART_ID)?,
        order: Order {
            amount: state.amount,
            description: state.description,
            shopper,
            custom_fields,
            future_pay: state.future_pay,
            gateway,
        },
        status: state.status,
        paid_by: state.paid_by,
        created_at: fields.time(attr::CREATED_AT)?,
    })
}
