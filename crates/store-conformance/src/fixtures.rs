//! Test data built with the domain's own constructors, so every case starts from values the
//! domain could really produce. Times are fixed and whole seconds: a store need only keep
//! seconds, and a fixed clock keeps failures reproducible.

use selectpay_domain::callback::Fingerprint;
use selectpay_domain::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use selectpay_domain::decision::{CartChange, Condition, Reply, SavedOutcome, Writes};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::ids::{CartId, TransId};
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::ports::{Commit, Delivery};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The moment every fixture is dated from.
pub const T0: OffsetDateTime = datetime!(2024-05-01 12:00:00 UTC);

/// `seconds` after [`T0`].
pub fn at(seconds: i64) -> OffsetDateTime {
    T0 + Duration::seconds(seconds)
}

pub fn money(amount: &str, currency: &str) -> Money {
    Money::parse(amount, Currency::parse(currency).expect("currency")).expect("amount")
}

pub fn cart_id(id: &str) -> CartId {
    CartId::parse(id).expect("cart id")
}

pub fn trans_id(id: &str) -> TransId {
    TransId::parse(id).expect("trans id")
}

pub fn email(address: &str) -> EmailAddress {
    EmailAddress::parse(address).expect("email address")
}

/// The idempotency key the domain uses for an authorisation.
pub fn trans_key(trans: &str) -> String {
    format!("trans#{trans}")
}

/// A pending cart of 14.99 GBP created at [`T0`], with every optional field filled in and
/// non-ASCII text wherever the shopper can type.
pub fn cart(id: &str) -> Cart {
    let field = |name, value| CustomField::parse(name, value).expect("custom field");
    Cart {
        id: cart_id(id),
        order: Order {
            amount: money("14.99", "GBP"),
            description: "Two tickets — «matinée», £14.99".to_owned(),
            shopper: Shopper {
                name: Some("Zoë Müller".to_owned()),
                email: Some("zoe@example.com".to_owned()),
                address1: Some("1 Rue de l'Église".to_owned()),
                address2: Some("Flat 2".to_owned()),
                address3: None,
                town: Some("Montréal".to_owned()),
                postcode: Some("H2X 1Y4".to_owned()),
                country: Some("CA".to_owned()),
                tel: Some("+1 514 555 0100".to_owned()),
            },
            custom_fields: vec![
                field("MC_orderRef", "A-1"),
                field("M_var1", "Zoë"),
                field("C_return", "welcome back"),
            ],
        },
        status: CartStatus::Pending,
        paid_by: None,
        created_at: T0,
    }
}

/// The condition that `cart_id` is in `state`.
pub fn cart_is(cart_id: &CartId, state: CartState) -> Condition {
    Condition::CartIs {
        cart_id: cart_id.clone(),
        status: state.status,
        amount: state.amount,
        paid_by: state.paid_by,
    }
}

pub fn payment(
    cart_id: &CartId,
    trans: &str,
    status: PaymentStatus,
    received_at: OffsetDateTime,
) -> Payment {
    Payment {
        trans_id: trans_id(trans),
        cart_id: cart_id.clone(),
        status,
        amount: "14.99".to_owned(),
        currency: "GBP".to_owned(),
        test_mode: true,
        auth_mode: Some("A".to_owned()),
        avs: Some("2222".to_owned()),
        card_type: Some("Visa".to_owned()),
        received_at,
    }
}

pub fn mail(id: &str, cart_id: Option<&CartId>, created_at: OffsetDateTime) -> Mail {
    Mail {
        id: id.to_owned(),
        kind: MailKind::Receipt,
        cart_id: cart_id.cloned(),
        to: email("zoe@example.com"),
        subject: "Your receipt, Zoë Müller".to_owned(),
        text: "Thank you, Zoë Müller.\r\nTotal: £14.99\n".to_owned(),
        html: "<p>Thank you, Zo&euml; M&uuml;ller &lt;script&gt;</p>\n".to_owned(),
        created_at,
    }
}

pub fn delivery(id: &str, cart_id: Option<&CartId>, received_at: OffsetDateTime) -> Delivery {
    Delivery {
        id: id.to_owned(),
        received_at,
        cart_id: cart_id.map(ToString::to_string),
        trans_id: Some("T1".to_owned()),
        outcome: "paid".to_owned(),
        content_type: Some("application/x-www-form-urlencoded; charset=ISO-8859-1".to_owned()),
        // Latin-1 bytes as the gateway sends them: not valid UTF-8, must stay raw.
        raw: b"transStatus=Y&cartId=A&name=Zo\xeb+M\xfcller&amount=14.99".to_vec(),
    }
}

pub fn commit(writes: Writes, delivery: Delivery) -> Commit {
    Commit { writes, delivery }
}

/// What the decision table writes for an authorised payment that matches a pending `cart`:
/// conditions, saved outcome, accepted payment, cart → paid, receipt and order notice.
/// Everything is dated one minute after the cart.
pub fn happy_path(cart: &Cart, trans: &str) -> Writes {
    let now = cart.created_at + Duration::minutes(1);
    let receipt = mail(&format!("receipt#{trans}"), Some(&cart.id), now);
    let notice = Mail {
        id: format!("notice#{trans}"),
        kind: MailKind::OrderNotice,
        to: email("merchant@example.com"),
        subject: format!("New paid order {}", cart.id),
        ..receipt.clone()
    };
    Writes {
        conditions: vec![
            Condition::OutcomeAbsent(trans_key(trans)),
            cart_is(&cart.id, CartState::from(cart)),
        ],
        saved_outcome: Some(SavedOutcome {
            key: trans_key(trans),
            fingerprint: Fingerprint::from_stored("0123456789abcdef0123456789abcdef".to_owned()),
            reply: Reply {
                status: 200,
                // Byte-exact round trip: CRLF and LF, tabs, trailing spaces, non-ASCII.
                page:
                    "<!DOCTYPE html>\r\n<wpdisplay item=banner>\n\t<p>Merci, Zoë — £14.99 ✓</p>  \n"
                        .to_owned(),
            },
        }),
        payment: Some(payment(&cart.id, trans, PaymentStatus::Accepted, now)),
        cart_change: Some(CartChange {
            cart_id: cart.id.clone(),
            status: CartStatus::Paid,
            paid_by: Some(trans_id(trans)),
        }),
        mails: vec![receipt, notice],
    }
}
