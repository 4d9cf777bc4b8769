//! The key under which a delivery's outcome is saved, so a repeat of the delivery is answered
//! from the saved outcome. Every key's text is spelled here and nowhere else.

use std::fmt;

use crate::callback::Fingerprint;
use crate::ids::{CartId, FuturePayId, IdError, TransId};

const PAYMENT: &str = "trans#";

/// A payment's key is its `transId` itself, so a store can make a `transId` unique from the
/// key's shape rather than from its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(Event);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Event {
    Payment(TransId),
    /// Any other event, by its stored text (built only by the constructors below).
    Other(String),
}

impl IdempotencyKey {
    pub fn payment(trans_id: &TransId) -> Self {
        Self(Event::Payment(trans_id.clone()))
    }

    pub fn cancellation(cart_id: &CartId) -> Self {
        Self::other(format!("cancel#{cart_id}"))
    }

    pub fn agreement_created(id: &FuturePayId) -> Self {
        Self::other(format!("fp-created#{id}"))
    }

    /// A declined scheduled payment, by its `transId` when the gateway sends one.
    pub fn agreement_declined(id: &FuturePayId, trans_id: &TransId) -> Self {
        Self::other(format!("fp-declined#{id}#{trans_id}"))
    }

    /// A declined scheduled payment without a `transId`: one key per distinct content.
    pub fn agreement_declined_unnamed(id: &FuturePayId, fingerprint: &Fingerprint) -> Self {
        Self::other(format!("fp-declined#{id}#{}", fingerprint.as_str()))
    }

    pub fn agreement_ended(id: &FuturePayId) -> Self {
        Self::other(format!("fp-ended#{id}"))
    }

    fn other(text: String) -> Self {
        Self(Event::Other(text))
    }

    /// The key of a payment, if it is one.
    pub fn trans_id(&self) -> Option<&TransId> {
        match &self.0 {
            Event::Payment(trans_id) => Some(trans_id),
            Event::Other(_) => None,
        }
    }

    /// A key read back from a store, in the text [`fmt::Display`] wrote.
    pub fn from_stored(text: &str) -> Result<Self, IdError> {
        Ok(match text.strip_prefix(PAYMENT) {
            Some(trans_id) => Self::payment(&TransId::parse(trans_id)?),
            None => Self::other(text.to_owned()),
        })
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Event::Payment(trans_id) => write!(f, "{PAYMENT}{trans_id}"),
            Event::Other(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_as_written() {
        let trans = TransId::parse("T1").unwrap();
        let agreement = FuturePayId::parse("193743").unwrap();
        let keys = [
            IdempotencyKey::payment(&trans),
            IdempotencyKey::cancellation(&CartId::parse("cart#1").unwrap()),
            IdempotencyKey::agreement_created(&agreement),
            IdempotencyKey::agreement_declined(&agreement, &trans),
            IdempotencyKey::agreement_ended(&agreement),
        ];
        for key in keys {
            assert_eq!(IdempotencyKey::from_stored(&key.to_string()), Ok(key));
        }
    }

    #[test]
    fn only_a_payment_key_names_a_trans_id() {
        let trans = TransId::parse("T1").unwrap();
        assert_eq!(IdempotencyKey::payment(&trans).trans_id(), Some(&trans));
        let cart = CartId::parse("T1").unwrap();
        assert_eq!(IdempotencyKey::cancellation(&cart).trans_id(), None);
    }
}
