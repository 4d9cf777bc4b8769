//! Domain values to DynamoDB items and back. Every value read back goes through the domain's
//! own parsers (the plan through its checked `Deserialize`): an item that does not decode is
//! `Corrupt`, never a panic or a silently odd value.

use std::collections::HashMap;
use std::fmt::Display;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::callback::Fingerprint;
use selectpay_domain::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::futurepay::{
    Agreement, AgreementStatus, CancelClaim, FuturePayPlan, Interval, IntervalUnit,
};
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::mail::{Mail, MailKind, StoredMail};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::store::{Delivery, Reply, SavedOutcome, StoreError, time_text};
use time::{Duration, OffsetDateTime};

pub type Item = HashMap<String, AttributeValue>;

/// Attribute names, shared by items, expressions and the table's indexes (infra/table.json).
pub mod attr {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const CART_ID: &str = "cartId";
    pub const AMOUNT_MINOR: &str = "amountMinor";
    pub const CURRENCY: &str = "currency";
    pub const DESCRIPTION: &str = "description";
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
    pub const DELIVERY_ID: &str = "deliveryId";
    pub const OUTCOME: &str = "outcome";
    pub const CONTENT_TYPE: &str = "contentType";
    pub const RAW: &str = "raw";
    pub const EXPIRES_AT: &str = "expiresAt";
    pub const FUTURE_PAY: &str = "futurePay";
    pub const FUTURE_PAY_ID: &str = "futurePayId";
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
/// The one partition of the `pending-mail` index: the sweep reads it oldest first.
pub const PENDING: &str = "PENDING";
pub const DUE_AGREEMENTS_INDEX: &str = "due-agreements";
/// The one partition of the `due-agreements` index (see the module docs for why one).
pub const DUE: &str = "DUE";

/// Raw deliveries are evidence for a person to look at, not state: DynamoDB's TTL removes
/// them after this long.
const DELIVERY_LIFETIME: Duration = Duration::days(90);

const CART_PK: &str = "CART#";
const CART_SK: &str = "CART";
const PAYMENT_SK: &str = "PAYMENT#";
const MAIL_PK: &str = "MAIL#";
const MAIL_SK: &str = "MAIL";
const OUTCOME_PK: &str = "OUTCOME#";
const OUTCOME_SK: &str = "OUTCOME";
const DELIVERY_PK: &str = "DELIVERY";
pub const AGREEMENT_PK: &str = "AGREEMENT#";
pub const AGREEMENT_SK: &str = "AGREEMENT";

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

    /// Unique per cart only: a `transId` is made unique by its saved outcome `trans#<id>`.
    pub fn payment(payment: &Payment) -> Self {
        Self::new(
            Self::cart_partition(&payment.cart_id),
            format!("{PAYMENT_SK}{}", payment.trans_id),
        )
    }

    pub fn outcome(key: &str) -> Self {
        Self::new(format!("{OUTCOME_PK}{key}"), OUTCOME_SK)
    }

    /// Keyed by id alone, because `MailAbsent` names nothing else.
    pub fn mail(mail_id: &str) -> Self {
        Self::new(format!("{MAIL_PK}{mail_id}"), MAIL_SK)
    }

    /// Lists the mail in its cart's partition, so one query finds a cart's mails.
    pub fn mail_pointer(cart_id: &CartId, mail_id: &str) -> Self {
        Self::new(Self::cart_partition(cart_id), format!("{MAIL_PK}{mail_id}"))
    }

    /// Keyed by id alone, because the gateway's callbacks name the agreement by id.
    pub fn agreement(id: &FuturePayId) -> Self {
        Self::new(format!("{AGREEMENT_PK}{id}"), AGREEMENT_SK)
    }

    /// Lists the agreement in its cart's partition, so one query finds a cart's agreements.
    pub fn agreement_pointer(cart_id: &CartId, id: &FuturePayId) -> Self {
        Self::new(Self::cart_partition(cart_id), format!("{AGREEMENT_PK}{id}"))
    }

    /// Deliveries by cart are one query, in time order. They are not in the cart's own
    /// partition, which the cart view reads whole: a cart can get any number of deliveries,
    /// forged ones included. A cart id that is not a valid one (the delivery is raw) goes to
    /// the partition of deliveries without a cart.
    pub fn delivery(delivery: &Delivery) -> Result<Self, StoreError> {
        let pk = match delivery.cart_id.as_deref().map(CartId::parse) {
            Some(Ok(cart_id)) => format!("{DELIVERY_PK}#{cart_id}"),
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

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn time(at: OffsetDateTime) -> Result<AttributeValue, StoreError> {
    time_text::encode(at).map(AttributeValue::S)
}

fn insert_optional(item: &mut Item, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        item.insert(name.to_owned(), s(value));
    }
}

pub fn cart_item(cart: &Cart) -> Result<Item, StoreError> {
    let order = &cart.order;
    let shopper = order
        .shopper
        .token_fields()
        .map(|(name, value)| (name.to_owned(), s(value)))
        .collect();
    let custom_fields = order
        .custom_fields
        .iter()
        .map(|field| {
            AttributeValue::M(HashMap::from([
                ("name".to_owned(), s(field.name())),
                ("value".to_owned(), s(field.value())),
            ]))
        })
        .collect();
    let mut item = Key::cart(&cart.id).item();
    item.extend([
        (attr::CART_ID.to_owned(), s(cart.id.as_str())),
        (attr::AMOUNT_MINOR.to_owned(), n(order.amount.minor_units())),
        (attr::CURRENCY.to_owned(), s(order.amount.currency().code())),
        (attr::DESCRIPTION.to_owned(), s(&order.description)),
        (attr::SHOPPER.to_owned(), AttributeValue::M(shopper)),
        (
            attr::CUSTOM_FIELDS.to_owned(),
            AttributeValue::L(custom_fields),
        ),
        (attr::STATUS.to_owned(), s(cart.status.as_str())),
        (attr::CREATED_AT.to_owned(), time(cart.created_at)?),
    ]);
    insert_optional(
        &mut item,
        attr::PAID_BY,
        cart.paid_by.as_ref().map(TransId::as_str),
    );
    if let Some(plan) = &order.future_pay {
        // The plan only travels whole (to the token and to new agreements): one JSON
        // string, in the domain's own serde form, read back through the same checks.
        let json = serde_json::to_string(plan).map_err(StoreError::invariant)?;
        item.insert(attr::FUTURE_PAY.to_owned(), s(json));
    }
    Ok(item)
}

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

pub fn outcome_item(saved: &SavedOutcome) -> Item {
    let mut item = Key::outcome(&saved.key).item();
    item.extend([
        (attr::KEY.to_owned(), s(&saved.key)),
        (attr::FINGERPRINT.to_owned(), s(saved.fingerprint.as_str())),
        (attr::REPLY_STATUS.to_owned(), n(saved.reply.status)),
        (attr::REPLY_PAGE.to_owned(), s(&saved.reply.page)),
    ]);
    item
}

/// A new, unsent mail: in the sparse `pending-mail` index until marked sent.
pub fn mail_item(mail: &Mail) -> Result<Item, StoreError> {
    let mut item = Key::mail(&mail.id).item();
    item.extend([
        (attr::MAIL_ID.to_owned(), s(&mail.id)),
        (attr::KIND.to_owned(), s(mail.kind.as_str())),
        (attr::RECIPIENT.to_owned(), s(mail.to.as_str())),
        (attr::SUBJECT.to_owned(), s(&mail.subject)),
        (attr::TEXT.to_owned(), s(&mail.text)),
        (attr::HTML.to_owned(), s(&mail.html)),
        (attr::CREATED_AT.to_owned(), time(mail.created_at)?),
        (attr::PENDING_PK.to_owned(), s(PENDING)),
    ]);
    insert_optional(
        &mut item,
        attr::CART_ID,
        mail.cart_id.as_ref().map(CartId::as_str),
    );
    Ok(item)
}

pub fn pointer_item(cart_id: &CartId, mail_id: &str) -> Item {
    let mut item = Key::mail_pointer(cart_id, mail_id).item();
    item.insert(attr::MAIL_ID.to_owned(), s(mail_id));
    item
}

/// The pointer from a cart's partition to one of its agreements.
pub fn agreement_pointer_item(cart_id: &CartId, id: &FuturePayId) -> Item {
    let mut item = Key::agreement_pointer(cart_id, id).item();
    item.insert(attr::FUTURE_PAY_ID.to_owned(), s(id.as_str()));
    item
}

fn unit_name(unit: IntervalUnit) -> &'static str {
    match unit {
        IntervalUnit::Day => "day",
        IntervalUnit::Week => "week",
        IntervalUnit::Month => "month",
        IntervalUnit::Year => "year",
    }
}

/// The whole agreement. While it has an overdue time it carries `duePk` and `dueAt` (the
/// overdue time itself), which put it in the sparse `due-agreements` index; without one
/// neither attribute is there, so it is not in the index at all.
pub fn agreement_item(agreement: &Agreement) -> Result<Item, StoreError> {
    let mut item = Key::agreement(&agreement.id).item();
    item.extend([
        (attr::FUTURE_PAY_ID.to_owned(), s(agreement.id.as_str())),
        (attr::CART_ID.to_owned(), s(agreement.cart_id.as_str())),
        (attr::STATUS.to_owned(), s(agreement.status.as_str())),
        (
            attr::PAYMENTS_EXPECTED.to_owned(),
            n(agreement.payments_expected),
        ),
        (attr::PAYMENTS_MADE.to_owned(), n(agreement.payments_made)),
        (
            attr::PAYMENTS_DECLINED.to_owned(),
            n(agreement.payments_declined),
        ),
        (
            attr::CANCEL_FAILURES.to_owned(),
            n(agreement.cancel_failures),
        ),
        (attr::VERSION.to_owned(), n(agreement.version)),
        (attr::CREATED_AT.to_owned(), time(agreement.created_at)?),
    ]);
    if let Some(interval) = agreement.interval {
        item.insert(
            attr::INTERVAL_UNIT.to_owned(),
            s(unit_name(interval.unit())),
        );
        item.insert(attr::INTERVAL_MULT.to_owned(), n(interval.mult()));
    }
    if let Some(at) = agreement.last_payment_at {
        item.insert(attr::LAST_PAYMENT_AT.to_owned(), time(at)?);
    }
    if let Some(due) = agreement.overdue_at {
        item.insert(attr::DUE_PK.to_owned(), s(DUE));
        item.insert(attr::DUE_AT.to_owned(), time(due)?);
    }
    insert_optional(
        &mut item,
        attr::SHOPPER_EMAIL,
        agreement.shopper_email.as_deref(),
    );
    if let Some(claim) = &agreement.cancel_claim {
        item.insert(attr::CLAIM_BY.to_owned(), s(&claim.by));
        item.insert(attr::CLAIM_UNTIL.to_owned(), time(claim.until)?);
    }
    Ok(item)
}

pub fn delivery_item(delivery: &Delivery) -> Result<Item, StoreError> {
    let expires_at = (delivery.received_at + DELIVERY_LIFETIME).unix_timestamp();
    let mut item = Key::delivery(delivery)?.item();
    item.extend([
        (attr::DELIVERY_ID.to_owned(), s(&delivery.id)),
        (attr::RECEIVED_AT.to_owned(), time(delivery.received_at)?),
        (attr::OUTCOME.to_owned(), s(&delivery.outcome)),
        (
            attr::RAW.to_owned(),
            AttributeValue::B(Blob::new(delivery.raw.clone())),
        ),
        (attr::EXPIRES_AT.to_owned(), n(expires_at)),
    ]);
    insert_optional(&mut item, attr::CART_ID, delivery.cart_id.as_deref());
    insert_optional(&mut item, attr::TRANS_ID, delivery.trans_id.as_deref());
    insert_optional(
        &mut item,
        attr::CONTENT_TYPE,
        delivery.content_type.as_deref(),
    );
    Ok(item)
}

/// Typed access to one item's attributes; every failure names the item and attribute.
struct Fields<'a>(&'a Item);

impl<'a> Fields<'a> {
    fn corrupt(&self, name: &str, detail: impl Display) -> StoreError {
        let key = |name| self.0.get(name).and_then(|v| v.as_s().ok());
        StoreError::corrupt(format!(
            "item {:?}/{:?}: {name}: {detail}",
            key(attr::PK).map_or("?", String::as_str),
            key(attr::SK).map_or("?", String::as_str),
        ))
    }

    fn optional(&self, name: &str) -> Option<&'a AttributeValue> {
        self.0.get(name)
    }

    fn required(&self, name: &str) -> Result<&'a AttributeValue, StoreError> {
        self.optional(name)
            .ok_or_else(|| self.corrupt(name, "missing"))
    }

    fn text_of(&self, name: &str, value: &'a AttributeValue) -> Result<&'a str, StoreError> {
        value
            .as_s()
            .map(String::as_str)
            .map_err(|_| self.corrupt(name, "not a string"))
    }

    fn text(&self, name: &str) -> Result<&'a str, StoreError> {
        self.text_of(name, self.required(name)?)
    }

    fn optional_text(&self, name: &str) -> Result<Option<&'a str>, StoreError> {
        self.optional(name)
            .map(|value| self.text_of(name, value))
            .transpose()
    }

    fn owned(&self, name: &str) -> Result<String, StoreError> {
        self.text(name).map(str::to_owned)
    }

    fn optional_owned(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.optional_text(name)?.map(str::to_owned))
    }

    fn number<T: std::str::FromStr<Err: Display>>(&self, name: &str) -> Result<T, StoreError> {
        let text = self
            .required(name)?
            .as_n()
            .map_err(|_| self.corrupt(name, "not a number"))?;
        text.parse().map_err(|e| self.corrupt(name, e))
    }

    fn boolean(&self, name: &str) -> Result<bool, StoreError> {
        self.required(name)?
            .as_bool()
            .copied()
            .map_err(|_| self.corrupt(name, "not a boolean"))
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        self.required(name)?
            .as_b()
            .map(|blob| blob.as_ref().to_vec())
            .map_err(|_| self.corrupt(name, "not binary"))
    }

    fn parse_time(&self, name: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
        time_text::decode(text).map_err(|e| self.corrupt(name, format_args!("{text:?}: {e}")))
    }

    fn time(&self, name: &str) -> Result<OffsetDateTime, StoreError> {
        self.parse_time(name, self.text(name)?)
    }

    fn optional_time(&self, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        self.optional_text(name)?
            .map(|text| self.parse_time(name, text))
            .transpose()
    }

    fn cart_id(&self, name: &str) -> Result<CartId, StoreError> {
        CartId::parse(self.text(name)?).map_err(|e| self.corrupt(name, e))
    }

    fn future_pay_id(&self) -> Result<FuturePayId, StoreError> {
        let name = attr::FUTURE_PAY_ID;
        FuturePayId::parse(self.text(name)?).map_err(|e| self.corrupt(name, e))
    }

    fn trans_id(&self, name: &str, text: &str) -> Result<TransId, StoreError> {
        TransId::parse(text).map_err(|e| self.corrupt(name, e))
    }
}

pub fn cart_state(item: &Item) -> Result<CartState, StoreError> {
    let fields = Fields(item);
    let status = fields.text(attr::STATUS)?;
    let code = fields.text(attr::CURRENCY)?;
    let currency = Currency::parse(code).map_err(|e| fields.corrupt(attr::CURRENCY, e))?;
    Ok(CartState {
        status: CartStatus::parse(status).ok_or_else(|| fields.corrupt(attr::STATUS, status))?,
        amount: Money::from_minor_units(fields.number(attr::AMOUNT_MINOR)?, currency),
        paid_by: fields
            .optional_text(attr::PAID_BY)?
            .map(|text| fields.trans_id(attr::PAID_BY, text))
            .transpose()?,
        future_pay: fields
            .optional_text(attr::FUTURE_PAY)?
            .map(|json| {
                serde_json::from_str::<FuturePayPlan>(json)
                    .map_err(|e| fields.corrupt(attr::FUTURE_PAY, e))
            })
            .transpose()?,
    })
}

pub fn cart(item: &Item) -> Result<Cart, StoreError> {
    let fields = Fields(item);
    let state = cart_state(item)?;
    let text_map = |name: &str, value: &AttributeValue| {
        let map = value
            .as_m()
            .map_err(|_| fields.corrupt(name, "not a map"))?;
        map.iter()
            .map(|(key, value)| Ok((key.clone(), fields.text_of(name, value)?.to_owned())))
            .collect::<Result<HashMap<_, _>, StoreError>>()
    };
    // Through serde, so that the field names are the domain's own.
    let shopper = text_map(attr::SHOPPER, fields.required(attr::SHOPPER)?)?;
    let shopper: Shopper = serde_json::to_value(shopper)
        .and_then(serde_json::from_value)
        .map_err(|e| fields.corrupt(attr::SHOPPER, e))?;
    let custom_fields = fields
        .required(attr::CUSTOM_FIELDS)?
        .as_l()
        .map_err(|_| fields.corrupt(attr::CUSTOM_FIELDS, "not a list"))?
        .iter()
        .map(|field| {
            let field = text_map(attr::CUSTOM_FIELDS, field)?;
            let part = |key: &str| field.get(key).map_or("", String::as_str);
            CustomField::parse(part("name"), part("value"))
                .map_err(|e| fields.corrupt(attr::CUSTOM_FIELDS, e))
        })
        .collect::<Result<_, _>>()?;
    Ok(Cart {
        id: fields.cart_id(attr::CART_ID)?,
        order: Order {
            amount: state.amount,
            description: fields.owned(attr::DESCRIPTION)?,
            shopper,
            custom_fields,
            future_pay: state.future_pay,
        },
        status: state.status,
        paid_by: state.paid_by,
        created_at: fields.time(attr::CREATED_AT)?,
    })
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

pub fn saved_outcome(item: &Item) -> Result<SavedOutcome, StoreError> {
    let fields = Fields(item);
    Ok(SavedOutcome {
        key: fields.owned(attr::KEY)?,
        fingerprint: Fingerprint::from_stored(fields.owned(attr::FINGERPRINT)?),
        reply: Reply {
            status: fields.number(attr::REPLY_STATUS)?,
            page: fields.owned(attr::REPLY_PAGE)?,
        },
    })
}

pub fn stored_mail(item: &Item) -> Result<StoredMail, StoreError> {
    let fields = Fields(item);
    let kind = fields.text(attr::KIND)?;
    let recipient = fields.text(attr::RECIPIENT)?;
    Ok(StoredMail {
        mail: Mail {
            id: fields.owned(attr::MAIL_ID)?,
            kind: MailKind::parse(kind).ok_or_else(|| fields.corrupt(attr::KIND, kind))?,
            cart_id: fields
                .optional(attr::CART_ID)
                .map(|_| fields.cart_id(attr::CART_ID))
                .transpose()?,
            to: EmailAddress::parse(recipient).map_err(|e| fields.corrupt(attr::RECIPIENT, e))?,
            subject: fields.owned(attr::SUBJECT)?,
            text: fields.owned(attr::TEXT)?,
            html: fields.owned(attr::HTML)?,
            created_at: fields.time(attr::CREATED_AT)?,
        },
        sent_at: fields.optional_time(attr::SENT_AT)?,
    })
}

/// The id of a mail or of the mail a pointer points to.
pub fn mail_id(item: &Item) -> Result<String, StoreError> {
    Fields(item).owned(attr::MAIL_ID)
}

/// The agreement a pointer points to.
pub fn agreement_id(item: &Item) -> Result<FuturePayId, StoreError> {
    Fields(item).future_pay_id()
}

pub fn agreement(item: &Item) -> Result<Agreement, StoreError> {
    let fields = Fields(item);
    let status = fields.text(attr::STATUS)?;
    let interval = match fields.optional_text(attr::INTERVAL_UNIT)? {
        None if fields.optional(attr::INTERVAL_MULT).is_some() => {
            return Err(fields.corrupt(attr::INTERVAL_UNIT, "missing, with a multiplier"));
        }
        None => None,
        Some(name) => {
            let unit = IntervalUnit::parse(name)
                .ok_or_else(|| fields.corrupt(attr::INTERVAL_UNIT, name))?;
            let mult = fields.number(attr::INTERVAL_MULT)?;
            Some(Interval::new(unit, mult).map_err(|e| fields.corrupt(attr::INTERVAL_MULT, e))?)
        }
    };
    let overdue_at = fields.optional_time(attr::DUE_AT)?;
    // An overdue time outside the index would never be swept: worse than no agreement.
    match (overdue_at.is_some(), fields.optional_text(attr::DUE_PK)?) {
        (true, Some(DUE)) | (false, None) => {}
        (_, Some(other)) => return Err(fields.corrupt(attr::DUE_PK, other)),
        (true, None) => return Err(fields.corrupt(attr::DUE_PK, "missing, with a due time")),
    }
    let cancel_claim = match (
        fields.optional_owned(attr::CLAIM_BY)?,
        fields.optional_time(attr::CLAIM_UNTIL)?,
    ) {
        (Some(by), Some(until)) => Some(CancelClaim { by, until }),
        (None, None) => None,
        (Some(_), None) => return Err(fields.corrupt(attr::CLAIM_UNTIL, "missing")),
        (None, Some(_)) => return Err(fields.corrupt(attr::CLAIM_BY, "missing")),
    };
    Ok(Agreement {
        id: fields.future_pay_id()?,
        cart_id: fields.cart_id(attr::CART_ID)?,
        status: AgreementStatus::parse(status)
            .ok_or_else(|| fields.corrupt(attr::STATUS, status))?,
        interval,
        payments_expected: fields.number(attr::PAYMENTS_EXPECTED)?,
        payments_made: fields.number(attr::PAYMENTS_MADE)?,
        payments_declined: fields.number(attr::PAYMENTS_DECLINED)?,
        last_payment_at: fields.optional_time(attr::LAST_PAYMENT_AT)?,
        overdue_at,
        shopper_email: fields.optional_owned(attr::SHOPPER_EMAIL)?,
        cancel_claim,
        cancel_failures: fields.number(attr::CANCEL_FAILURES)?,
        version: fields.number(attr::VERSION)?,
        created_at: fields.time(attr::CREATED_AT)?,
    })
}

pub fn delivery(item: &Item) -> Result<Delivery, StoreError> {
    let fields = Fields(item);
    Ok(Delivery {
        id: fields.owned(attr::DELIVERY_ID)?,
        received_at: fields.time(attr::RECEIVED_AT)?,
        cart_id: fields.optional_owned(attr::CART_ID)?,
        trans_id: fields.optional_owned(attr::TRANS_ID)?,
        outcome: fields.owned(attr::OUTCOME)?,
        content_type: fields.optional_owned(attr::CONTENT_TYPE)?,
        raw: fields.bytes(attr::RAW)?,
    })
}
