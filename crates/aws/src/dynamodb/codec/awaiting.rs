//! A cart awaiting its shopper, in its own item: while awaited it carries
//! `duePk = "AWAITING"` + `dueAt` (the cart's time), which lists it in the `due-agreements`
//! index with what the listing shows, so the listing needs no second read.

use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::store::{AwaitingCart, StoreError};

use super::Fields;
use super::{n, s, time};
use crate::dynamodb::keys::*;

pub fn awaiting_item(cart: &AwaitingCart) -> Result<Item, StoreError> {
    let mut item = Key::awaiting(&cart.cart_id).item();
    item.extend([
        (attr::CART_ID.to_owned(), s(cart.cart_id.as_str())),
        (attr::AMOUNT_MINOR.to_owned(), n(cart.amount.minor_units())),
        (attr::CURRENCY.to_owned(), s(cart.amount.currency().code())),
        (attr::CREATED_AT.to_owned(), time(cart.created_at)?),
        (attr::DUE_PK.to_owned(), s(AWAITING)),
        (attr::DUE_AT.to_owned(), time(cart.created_at)?),
    ]);
    Ok(item)
}

/// The same item once the shopper is back: without `duePk`/`dueAt`, so out of the index.
pub fn returned_item(cart_id: &CartId) -> Item {
    let mut item = Key::awaiting(cart_id).item();
    item.insert(attr::CART_ID.to_owned(), s(cart_id.as_str()));
    item
}

pub fn awaiting_cart(item: &Item) -> Result<AwaitingCart, StoreError> {
    let fields = Fields(item);
    let code = fields.text(attr::CURRENCY)?;
    let currency = Currency::parse(code).map_err(|e| fields.corrupt(attr::CURRENCY, e))?;
    Ok(AwaitingCart {
        cart_id: fields.cart_id(attr::CART_ID)?,
        amount: Money::from_minor_units(fields.number(attr::AMOUNT_MINOR)?, currency),
        created_at: fields.time(attr::CREATED_AT)?,
    })
}
