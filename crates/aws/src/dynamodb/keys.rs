//! The table's shape: attribute names, key shapes and index names (infra/table.json
//! defines the table), shared by the codecs, the reads and the commit.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::cart::Payment;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::store::{Delivery, StoreError, time_text};

use super::codec::s;

pub type Item = HashMap<String, AttributeValue>;

/// Attribute names, shared by items, expressions and the table's indexes (infra/table.json).
pub mod attr {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const CART_ID: &str = "cartId";
    pub const AMOUNT_MINOR: &str = "amountMinor";
    pub const CURRENCY: &str = "currency";
    pub const DESCRIPTION: &str = "description";
    pub const GATEWAY: &str = "gateway";
    pub const SHOPPER: &str = "shopper";
    pub const CUSTOM_FIELDS: &str = "customFields";
    pub const STATUS: &str = "status";
    pub const PAID_BY: &str = "paidBy";
    pub const CREATED_AT: &str = "createdAt";
    pub const TRANS_ID: &str = "transId";
    pub const AMOUNT: &str = "amount";
    pub const TEST_MODE: &str = "testMode";
    pub const AUTH_MODE: &str = "authMode";
    pub const AVS: &str = "avs";
    pub const CARD_TYPE: &str = "cardType";
    pub const RECEIVED_AT: &str = "receivedAt";
    pub const KEY: &str = "key";
    pub const FINGERPRINT: &str = "fingerprint";
    pub const REPLY_STATUS: &str = "replyStatus";
    pub const REPLY_PAGE: &str = "replyPage";
    pub const MAIL_ID: &str = "mailId";
    pub const KIND: &str = "kind";
    pub const RECIPIENT: &str = "recipient";
    pub const SUBJECT: &str = "subject";
    pub const TEXT: &str = "text";
    pub const HTML: &str = "html";
    pub const SENT_AT: &str = "sentAt";
    pub const PENDING_PK: &str = "pendingPk";
    /// The mail queue's attributes (see `mail_lease.rs`).
    pub const QUEUE_PK: &str = "queuePk";
    pub const NEXT_ATTEMPT_AT: &str = "nextAttemptAt";
    pub const ATTEMPTS: &str = "attempts";
    pub const CLAIMED_BY: &str = "claimedBy";
    pub const CLAIMED_UNTIL: &str = "claimedUntil";
    pub const LAST_ERROR: &str = "lastError";
    pub const FAILED_AT: &str = "failedAt";
    pub const DELIVERY_ID: &str = "deliveryId";
    pub const OUTCOME: &str = "outcome";
    pub const CONTENT_TYPE: &str = "contentType";
    pub const RAW: &str = "raw";
    pub const QUERY: &str = "query";
    pub const EXPIRES_AT: &str = "expiresAt";
    pub const FUTURE_PAY: &str = "futurePay";
    pub const FUTURE_PAY_ID: &str = "futurePayId";
    /// An agreement's plan, as its cart sold it.
    pub const PLAN: &str = "plan";
    pub const INTERVAL_UNIT: &str = "intervalUnit";
    pub const INTERVAL_MULT: &str = "intervalMult";
    pub const PAYMENTS_EXPECTED: &str = "paymentsExpected";
    pub const PAYMENTS_MADE: &str = "paymentsMade";
    pub const PAYMENTS_DECLINED: &str = "paymentsDeclined";
    pub const LAST_PAYMENT_AT: &str = "lastPaymentAt";
    pub const SHOPPER_EMAIL: &str = "shopperEmail";
    pub const CLAIM_BY: &str = "cancelClaimBy";
    pub const CLAIM_UNTIL: &str = "cancelClaimUntil";
    pub const CANCEL_FAILURES: &str = "cancelFailures";
    pub const VERSION: &str = "version";
    pub const DUE_PK: &str = "duePk";
    pub const DUE_AT: &str = "dueAt";
}

pub const PENDING_MAIL_INDEX: &str = "pending-mail";
/// The one partition of the `pending-mail` index: all unsent mail, oldest first.
pub const PENDING: &str = "PENDING";
pub const MAIL_QUEUE_INDEX: &str = "mail-queue";
/// The one partition of the `mail-queue` index: mail still to try, by next attempt.
pub const QUEUE: &str = "QUEUE";
pub const DUE_AGREEMENTS_INDEX: &str = "due-agreements";
/// The one partition of the `due-agreements` index (see the module docs for why one).
pub const DUE: &str = "DUE";
/// The open claims' partition of the same `due-agreements` index, ordered by `dueAt` (the
/// claim's time): a claim is due for follow-up as an agreement is due for payment.
pub const CLAIMED: &str = "CLAIMED";
/// The partition of the same index for carts awaiting their shopper, ordered by `dueAt` (the
/// cart's time): a cart is stale as a claim is due, after a while without news.
pub const AWAITING: &str = "AWAITING";

const CART_PK: &str = "CART#";
const CART_SK: &str = "CART";
const PAYMENT_SK: &str = "PAYMENT#";
const MAIL_PK: &str = "MAIL#";
const MAIL_SK: &str = "MAIL";
const OUTCOME_PK: &str = "OUTCOME#";
const TRANS_PK: &str = "TRANS#";
const OUTCOME_SK: &str = "OUTCOME";
const DELIVERY_PK: &str = "DELIVERY";
pub const AGREEMENT_PK: &str = "AGREEMENT#";
pub const AGREEMENT_SK: &str = "AGREEMENT";
const CLAIM_PK: &str = "CLAIM#";
const CLAIM_SK: &str = "CLAIM";
const AWAIT_PK: &str = "AWAIT#";
const AWAIT_SK: &str = "AWAIT";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: String, sk: impl Into<String>) -> Self {
        Self { pk, sk: sk.into() }
    }

    pub fn cart_partition(cart_id: &CartId) -> String {
        format!("{CART_PK}{cart_id}")
    }

    pub fn cart(cart_id: &CartId) -> Self {
        Self::new(Self::cart_partition(cart_id), CART_SK)
    }

    /// Unique per cart only: a `transId` is made unique by its saved outcome's
    /// [`Key::transaction`].
    pub fn payment(payment: &Payment) -> Self {
        Self::cart_payment(&payment.cart_id, &payment.trans_id)
    }

    pub fn cart_payment(cart_id: &CartId, trans_id: &TransId) -> Self {
        Self::new(
            Self::cart_partition(cart_id),
            format!("{PAYMENT_SK}{trans_id}"),
        )
    }

    /// A payment's outcome is keyed by its [`Key::transaction`]; any other by its key's text.
    pub fn outcome(key: &IdempotencyKey) -> Self {
        match key.trans_id() {
            Some(trans_id) => Self::transaction(trans_id),
            None => Self::new(format!("{OUTCOME_PK}{key}"), OUTCOME_SK),
        }
    }

    /// The saved outcome of a payment, keyed by its `transId` alone: a second payment under
    /// a known `transId`, whatever its cart, cannot be written.
    pub fn transaction(trans_id: &TransId) -> Self {
        Self::new(format!("{TRANS_PK}{trans_id}"), OUTCOME_SK)
    }

    /// Keyed by id alone, because `MailAbsent` names nothing else.
    pub fn mail(mail_id: &MailId) -> Self {
        Self::new(format!("{MAIL_PK}{mail_id}"), MAIL_SK)
    }

    /// Lists the mail in its cart's partition, so one query finds a cart's mails.
    pub fn mail_pointer(cart_id: &CartId, mail_id: &MailId) -> Self {
        Self::new(Self::cart_partition(cart_id), format!("{MAIL_PK}{mail_id}"))
    }

    /// Keyed by id alone, because the gateway's callbacks name the agreement by id.
    /// A browser's claim about a cart, one per cart.
    pub fn claim(cart_id: &CartId) -> Self {
        Self::new(format!("{CLAIM_PK}{cart_id}"), CLAIM_SK)
    }

    /// A cart awaiting its shopper, one per cart (see `awaiting.rs`).
    pub fn awaiting(cart_id: &CartId) -> Self {
        Self::new(format!("{AWAIT_PK}{cart_id}"), AWAIT_SK)
    }

    pub fn agreement(id: &FuturePayId) -> Self {
        Self::new(format!("{AGREEMENT_PK}{id}"), AGREEMENT_SK)
    }

    /// Lists the agreement in its cart's partition, so one query finds a cart's agreements.
    pub fn agreement_pointer(cart_id: &CartId, id: &FuturePayId) -> Self {
        Self::new(Self::cart_partition(cart_id), format!("{AGREEMENT_PK}{id}"))
    }

    /// The partition of the deliveries that named a (valid) cart id.
    pub fn delivery_partition(cart_id: &CartId) -> String {
        format!("{DELIVERY_PK}#{cart_id}")
    }

    /// Deliveries by cart are one query, in time order. They are not in the cart's own
    /// partition, which the cart view reads whole: a cart can get any number of deliveries,
    /// forged ones included. A cart id that is not a valid one (the delivery is raw) goes to
    /// the partition of deliveries without a cart.
    pub fn delivery(delivery: &Delivery) -> Result<Self, StoreError> {
        let pk = match delivery.cart_id.as_deref().map(CartId::parse) {
            Some(Ok(cart_id)) => Self::delivery_partition(&cart_id),
            _ => DELIVERY_PK.to_owned(),
        };
        let sk = format!(
            "{}#{}",
            time_text::encode(delivery.received_at)?,
            delivery.id
        );
        Ok(Self::new(pk, sk))
    }

    /// The key of an item as read, e.g. from an index or a list of unprocessed keys.
    pub fn of(item: &Item) -> Option<Self> {
        let text = |name| item.get(name).and_then(|v| v.as_s().ok()).cloned();
        Some(Self::new(text(attr::PK)?, text(attr::SK)?))
    }

    pub fn item(&self) -> Item {
        HashMap::from([
            (attr::PK.to_owned(), s(&self.pk)),
            (attr::SK.to_owned(), s(&self.sk)),
        ])
    }
}

/// What an item found by a query or scan is, from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cart,
    Payment,
    MailPointer,
    Mail,
    Outcome,
    Delivery,
    AgreementPointer,
    Agreement,
}

impl Kind {
    /// `None` for anything this version does not write.
    pub fn of(item: &Item) -> Option<Self> {
        let Key { pk, sk } = Key::of(item)?;
        let (pk, sk) = (pk.as_str(), sk.as_str());
        Some(if pk.starts_with(DELIVERY_PK) {
            Kind::Delivery
        } else if pk.starts_with(CART_PK) {
            match sk {
                CART_SK => Kind::Cart,
                _ if sk.starts_with(PAYMENT_SK) => Kind::Payment,
                _ if sk.starts_with(MAIL_PK) => Kind::MailPointer,
                _ if sk.starts_with(AGREEMENT_PK) => Kind::AgreementPointer,
                _ => return None,
            }
        } else if pk.starts_with(MAIL_PK) && sk == MAIL_SK {
            Kind::Mail
        } else if pk.starts_with(OUTCOME_PK) && sk == OUTCOME_SK {
            Kind::Outcome
        } else if pk.starts_with(AGREEMENT_PK) && sk == AGREEMENT_SK {
            Kind::Agreement
        } else {
            return None;
        })
    }
}
