//! A browser's claim that a cart was paid, kept so that the sweep can follow it up when no
//! authenticated callback confirms it (see `ClaimFollowUps`).

use time::OffsetDateTime;

use crate::ids::{CartId, TransId};
use crate::money::Money;

/// What the shopper's browser said WorldPay's result page showed: unverified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedPayment {
    pub cart_id: CartId,
    pub trans_id: Option<TransId>,
    pub amount: Option<Money>,
    pub claimed_at: OffsetDateTime,
}
