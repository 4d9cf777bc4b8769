//! A payment, in its cart's partition.

use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::cart::{Payment, PaymentStatus};
use selectpay_domain::store::StoreError;

use super::Fields;
use super::{insert_optional, s, time};
use crate::dynamodb::keys::*;

pub fn payment_item(payment: &Payment) -> Result<Item, StoreError> {
    let mut item = Key::payment(payment).item();
    item.extend([
        (attr::TRANS_ID.to_owned(), s(payment.trans_id.as_str())),
        (attr::CART_ID.to_owned(), s(payment.cart_id.as_str())),
        (attr::STATUS.to_owned(), s(payment.status.label())),
        (attr::AMOUNT.to_owned(), s(&payment.amount)),
        (attr::CURRENCY.to_owned(), s(&payment.currency)),
        (
            attr::TEST_MODE.to_owned(),
            AttributeValue::Bool(payment.test_mode),
        ),
        (attr::RECEIVED_AT.to_owned(), time(payment.received_at)?),
    ]);
    insert_optional(&mut item, attr::AUTH_MODE, payment.auth_mode.as_deref());
    insert_optional(&mut item, attr::AVS, payment.avs.as_deref());
    insert_optional(&mut item, attr::CARD_TYPE, payment.card_type.as_deref());
    Ok(item)
}

pub fn payment(item: &Item) -> Result<Payment, StoreError> {
    let fields = Fields(item);
    let status = fields.text(attr::STATUS)?;
    Ok(Payment {
        trans_id: fields.trans_id(attr::TRANS_ID, fields.text(attr::TRANS_ID)?)?,
        cart_id: fields.cart_id(attr::CART_ID)?,
        status: PaymentStatus::parse(status).ok_or_else(|| fields.corrupt(attr::STATUS, status))?,
        amount: fields.owned(attr::AMOUNT)?,
        currency: fields.owned(attr::CURRENCY)?,
        test_mode: fields.boolean(attr::TEST_MODE)?,
        auth_mode: fields.optional_owned(attr::AUTH_MODE)?,
        avs: fields.optional_owned(attr::AVS)?,
        card_type: fields.optional_owned(attr::CARD_TYPE)?,
        received_at: fields.time(attr::RECEIVED_AT)?,
    })
}
