//! Carts and the payments recorded against them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::futurepay::FuturePayPlan;
use crate::ids::{CartId, TransId};
use crate::money::Money;
use crate::order::Order;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CartStatus {
    Pending,
    Paid,
    /// Pre-authorised (`authMode=E`): the card is authorised for the amount, but nothing is
    /// taken until the merchant captures it in WorldPay's admin.
    Authorised,
    Cancelled,
}

impl CartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CartStatus::Pending => "pending",
            CartStatus::Paid => "paid",
            CartStatus::Authorised => "authorised",
            CartStatus::Cancelled => "cancelled",
        }
    }

    /// Paid or pre-authorised: a transaction of the gateway stands behind the cart.
    pub fn is_settled(self) -> bool {
        matches!(self, CartStatus::Paid | CartStatus::Authorised)
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            CartStatus::Pending,
            CartStatus::Paid,
            CartStatus::Authorised,
            CartStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub id: CartId,
    pub order: Order,
    pub status: CartStatus,
    pub paid_by: Option<TransId>,
    pub created_at: OffsetDateTime,
}

impl Cart {
    /// Whether the store lists the cart as awaiting its shopper from the moment it is stored
    /// (see [`AwaitingShoppers`](crate::store::AwaitingShoppers)).
    pub fn awaits_shopper(&self) -> bool {
        self.status == CartStatus::Pending && self.order.gateway.reports_through_browser()
    }
}

/// The part of a cart a callback decision depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartState {
    pub status: CartStatus,
    pub amount: Money,
    pub paid_by: Option<TransId>,
    /// The agreement the cart asked for, which schedules its payments.
    pub future_pay: Option<FuturePayPlan>,
    /// What the merchant sold: the page and the mail show this, never the callback's
    /// `desc`, which the shopper can edit in the payment form.
    pub description: String,
}

impl From<&Cart> for CartState {
    fn from(cart: &Cart) -> Self {
        Self {
            status: cart.status,
            amount: cart.order.amount,
            paid_by: cart.paid_by.clone(),
            future_pay: cart.order.future_pay.clone(),
            description: cart.order.description.clone(),
        }
    }
}

/// Why a payment was recorded without fulfilling its cart (or paying its agreement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    AmountMismatch,
    CurrencyMismatch,
    TestModeNotAllowed,
    UnknownCart,
    /// A FuturePay plan and its agreement did not come together: a plan cart paid without
    /// an agreement, or an agreement for a cart that sold none.
    PlanMissing,
    /// A limited agreement's payment above the plan's limit.
    AmountOverLimit,
    /// The callback names a cart other than the agreement's.
    CartMismatch,
    /// A payment on an agreement that is over: refund it.
    AgreementEnded,
    /// A payment on an agreement whose first payment is still held.
    AgreementInReview,
    /// A payment for an agreement we have no record of.
    UnknownAgreement,
    /// Its risk signals match the merchant's hold rule (`SELECTPAY_HOLD_ON`).
    Risk,
    /// Accepted while the sweep was cancelling its agreement, which WorldPay then
    /// confirmed cancelled: refund it.
    CancelledAtGateway,
}

impl ReviewReason {
    const ALL: [ReviewReason; 12] = [
        ReviewReason::AmountMismatch,
        ReviewReason::CurrencyMismatch,
        ReviewReason::TestModeNotAllowed,
        ReviewReason::UnknownCart,
        ReviewReason::PlanMissing,
        ReviewReason::AmountOverLimit,
        ReviewReason::CartMismatch,
        ReviewReason::AgreementEnded,
        ReviewReason::AgreementInReview,
        ReviewReason::UnknownAgreement,
        ReviewReason::Risk,
        ReviewReason::CancelledAtGateway,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::AmountMismatch => "amount_mismatch",
            ReviewReason::CurrencyMismatch => "currency_mismatch",
            ReviewReason::TestModeNotAllowed => "test_mode_not_allowed",
            ReviewReason::UnknownCart => "unknown_cart",
            ReviewReason::PlanMissing => "plan_missing",
            ReviewReason::AmountOverLimit => "amount_over_limit",
            ReviewReason::CartMismatch => "cart_mismatch",
            ReviewReason::AgreementEnded => "agreement_ended",
            ReviewReason::AgreementInReview => "agreement_in_review",
            ReviewReason::UnknownAgreement => "unknown_agreement",
            ReviewReason::Risk => "risk",
            ReviewReason::CancelledAtGateway => "cancelled_at_gateway",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Paid the cart.
    Accepted,
    /// Pre-authorised the cart (`authMode=E`): to be captured in WorldPay's admin.
    Authorised,
    /// Authentic, but the cart was already paid by another transaction: refund one.
    DoublePayment,
    /// Authentic, but something did not match: a person must look before fulfilling.
    Review(ReviewReason),
    /// A FuturePay payment the card issuer refused.
    Declined,
}

impl PaymentStatus {
    /// `accepted`, `authorised`, `double_payment`, `declined` or `review:<reason>`.
    pub fn label(self) -> String {
        match self {
            PaymentStatus::Accepted => "accepted".into(),
            PaymentStatus::Authorised => "authorised".into(),
            PaymentStatus::DoublePayment => "double_payment".into(),
            PaymentStatus::Declined => "declined".into(),
            PaymentStatus::Review(reason) => format!("review:{}", reason.as_str()),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "accepted" => Some(PaymentStatus::Accepted),
            "authorised" => Some(PaymentStatus::Authorised),
            "double_payment" => Some(PaymentStatus::DoublePayment),
            "declined" => Some(PaymentStatus::Declined),
            _ => value
                .strip_prefix("review:")
                .and_then(ReviewReason::parse)
                .map(PaymentStatus::Review),
        }
    }
}

/// An authorised payment as the gateway reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub trans_id: TransId,
    pub cart_id: CartId,
    pub status: PaymentStatus,
    /// As received: the amount may not even parse when it was tampered with.
    pub amount: String,
    pub currency: String,
    pub test_mode: bool,
    pub auth_mode: Option<String>,
    pub avs: Option<String>,
    pub card_type: Option<String>,
    pub received_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_review_reason_reads_back_from_its_label() {
        for reason in ReviewReason::ALL {
            let status = PaymentStatus::Review(reason);
            assert_eq!(PaymentStatus::parse(&status.label()), Some(status));
        }
        assert_eq!(PaymentStatus::parse("review:whatever"), None);
    }
}
