//! A browser's claim that a cart was paid, in its own item; while open it carries
//! `duePk = "CLAIMED"` + `dueAt` (its time), which lists it in the `due-agreements` index.

use selectpay_domain::money::{Currency, Money};
use selectpay_domain::store::{ClaimedPayment, StoreError};

use super::Fields;
use super::{insert_optional, n, s, time};
use crate::dynamodb::keys::*;

pub fn claim_item(claim: &ClaimedPayment) -> Result<Item, StoreError> {
    let mut item = Key::claim(&claim.cart_id).item();
    item.extend([
        (attr::CART_ID.to_owned(), s(claim.cart_id.as_str())),
        (attr::CREATED_AT.to_owned(), time(claim.claimed_at)?),
        (attr::DUE_PK.to_owned(), s(CLAIMED)),
        (attr::DUE_AT.to_owned(), time(claim.claimed_at)?),
    ]);
    let trans_id = claim.trans_id.as_ref().map(|t| t.as_str());
    insert_optional(&mut item, attr::TRANS_ID, trans_id);
    if let Some(amount) = claim.amount {
        item.insert(attr::AMOUNT_MINOR.to_owned(), n(amount.minor_units()));
        item.insert(attr::CURRENCY.to_owned(), s(amount.currency().code()));
    }
    Ok(item)
}

/// Its amount is both attributes or neither.
pub fn claimed_payment(item: &Item) -> Result<ClaimedPayment, StoreError> {
    let fields = Fields(item);
    let amount = match fields.optional_text(attr::CURRENCY)? {
        None if fields.optional(attr::AMOUNT_MINOR).is_none() => None,
        None => return Err(fields.corrupt(attr::AMOUNT_MINOR, "without a currency")),
        Some(code) => {
            let currency = Currency::parse(code).map_err(|e| fields.corrupt(attr::CURRENCY, e))?;
            Some(Money::from_minor_units(
                fields.number(attr::AMOUNT_MINOR)?,
                currency,
            ))
        }
    };
    Ok(ClaimedPayment {
        cart_id: fields.cart_id(attr::CART_ID)?,
        trans_id: fields
            .optional_text(attr::TRANS_ID)?
            .map(|text| fields.trans_id(attr::TRANS_ID, text))
            .transpose()?,
        amount,
        claimed_at: fields.time(attr::CREATED_AT)?,
    })
}
