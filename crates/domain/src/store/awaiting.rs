//! Carts whose result only the shopper's browser brings (Opayo Form), while no result has come:
//! if the shopper closed the browser, the gateway's own mail to the merchant is the only record.

use time::OffsetDateTime;

use crate::cart::Cart;
use crate::ids::CartId;
use crate::money::Money;

/// What the merchant needs to look a cart up at the gateway, and nothing about the shopper:
/// the gateway's admin finds the transaction by our cart id (Opayo's `VendorTxCode`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingCart {
    pub cart_id: CartId,
    pub amount: Money,
    /// When the cart was stored, i.e. when the shopper was sent to the gateway.
    pub created_at: OffsetDateTime,
}

impl From<&Cart> for AwaitingCart {
    fn from(cart: &Cart) -> Self {
        Self {
            cart_id: cart.id.clone(),
            amount: cart.order.amount,
            created_at: cart.created_at,
        }
    }
}
