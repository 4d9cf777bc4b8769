//! The saved outcome of a delivery, under its idempotency key.

use selectpay_domain::callback::Fingerprint;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::store::{Reply, SavedOutcome, StoreError};

use super::Fields;
use super::{n, s};
use crate::dynamodb::keys::*;

pub fn outcome_item(saved: &SavedOutcome) -> Item {
    let mut item = Key::outcome(&saved.key).item();
    item.extend([
        (attr::KEY.to_owned(), s(saved.key.to_string())),
        (attr::FINGERPRINT.to_owned(), s(saved.fingerprint.as_str())),
        (attr::REPLY_STATUS.to_owned(), n(saved.reply.status)),
        (attr::REPLY_PAGE.to_owned(), s(&saved.reply.page)),
    ]);
    item
}

pub fn saved_outcome(item: &Item) -> Result<SavedOutcome, StoreError> {
    let fields = Fields(item);
    Ok(SavedOutcome {
        key: IdempotencyKey::from_stored(&fields.owned(attr::KEY)?)
            .map_err(|e| fields.corrupt(attr::KEY, e))?,
        fingerprint: Fingerprint::from_stored(fields.owned(attr::FINGERPRINT)?),
        reply: Reply {
            status: fields.number(attr::REPLY_STATUS)?,
            page: fields.owned(attr::REPLY_PAGE)?,
        },
    })
}
