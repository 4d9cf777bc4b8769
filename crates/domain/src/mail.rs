//! Outgoing mail, written to the outbox with the state change that caused it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::email::EmailAddress;
use crate::ids::CartId;
use crate::mail_id::MailId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Receipt,
    /// Anything else a shopper is told, e.g. that their agreement was cancelled.
    ShopperNotice,
    OrderNotice,
    MerchantAlert,
    OperatorAlert,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Receipt => "receipt",
            MailKind::ShopperNotice => "shopper_notice",
            MailKind::OrderNotice => "order_notice",
            MailKind::MerchantAlert => "merchant_alert",
            MailKind::OperatorAlert => "operator_alert",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            MailKind::Receipt,
            MailKind::ShopperNotice,
            MailKind::OrderNotice,
            MailKind::MerchantAlert,
            MailKind::OperatorAlert,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }
}

/// One message. Its id names the event it reports, so the outbox can refuse a second copy
/// of the same event however often the event is delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: MailId,
    pub kind: MailKind,
    pub cart_id: Option<CartId>,
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMail {
    pub mail: Mail,
    pub sent_at: Option<OffsetDateTime>,
}

/// Subjects are built from shopper data: one line, no control characters, bounded.
pub fn subject_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(150)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_cannot_carry_extra_headers() {
        assert_eq!(
            subject_line("Order\r\nBcc: evil@example.com"),
            "Order  Bcc: evil@example.com"
        );
    }
}
