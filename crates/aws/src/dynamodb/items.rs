//! Domain values to DynamoDB items and back. Every value read back is re-validated with the
//! domain's own parsers: an item that does not decode is `Corrupt`, never a panic or a
//! silently odd value.

use std::collections::HashMap;
use std::fmt::Display;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use selectpay_domain::callback::Fingerprint;
use selectpay_domain::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use selectpay_domain::decision::{Reply, SavedOutcome};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::ids::{CartId, TransId};
use selectpay_domain::mail::{Mail, MailKind, StoredMail};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::ports::{Delivery, StoreError};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

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
}

pub const PENDING_MAIL_INDEX: &str = "pending-mail";
/// The one partition of the `pending-mail` index: the sweep reads it oldest first.
pub const PENDING: &str = "PENDING";

/// Raw deliveries are evidence for a person to look at, not state: DynamoDB's TTL removes
/// them after this long.
const DELIVERY_LIFETIME: Duration = Duration::days(90);

/// Fixed width, so that string order is time order in sort keys and indexes.
const TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

const CART_PK: &str = "CART#";
const CART_SK: &str = "CART";
const PAYMENT_SK: &str = "PAYMENT#";
const MAIL_PK: &str = "MAIL#";
const MAIL_SK: &str = "MAIL";
const OUTCOME_PK: &str = "OUTCOME#";
const OUTCOME_SK: &str = "OUTCOME";
const DELIVERY_PK: &str = "DELIVERY";

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

    /// Deliveries by cart are one query, in time order. They are not in the cart's own
    /// partition, which the cart view reads whole: a cart can get any number of deliveries,
    /// forged ones included. A cart id that is not a valid one (the delivery is raw) goes to
    /// the partition of deliveries without a cart.
    pub fn delivery(delivery: &Delivery) -> Result<Self, StoreError> {
        let pk = match delivery.cart_id.as_deref().map(CartId::parse) {
            Some(Ok(cart_id)) => format!("{DELIVERY_PK}#{cart_id}"),
            _ => DELIVERY_PK.to_owned(),
        };
        let sk = format!("{}#{}", time_text(delivery.received_at)?, delivery.id);
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
                _ => return None,
            }
        } else if pk.starts_with(MAIL_PK) && sk == MAIL_SK {
            Kind::Mail
        } else if pk.starts_with(OUTCOME_PK) && sk == OUTCOME_SK {
            Kind::Outcome
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

pub fn time_text(at: OffsetDateTime) -> Result<String, StoreError> {
    at.to_offset(UtcOffset::UTC)
        .format(TIME)
        .map_err(|e| StoreError::Unavailable(format!("time {at} cannot be stored: {e}")))
}

pub fn time(at: OffsetDateTime) -> Result<AttributeValue, StoreError> {
    time_text(at).map(AttributeValue::S)
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
        StoreError::Corrupt(format!(
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
        PrimitiveDateTime::parse(text, TIME)
            .map(PrimitiveDateTime::assume_utc)
            .map_err(|e| self.corrupt(name, format_args!("{text:?}: {e}")))
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
