//! Test data built with the domain's own constructors, so every case starts from values the
//! domain could really produce. Times are fixed and whole seconds: a store need only keep
//! seconds, and a fixed clock keeps failures reproducible.

use selectpay_domain::callback::Fingerprint;
use selectpay_domain::cart::{Cart, CartState, CartStatus, Payment, PaymentStatus};
use selectpay_domain::decision::{CartChange, Condition, Reply, SavedOutcome, Writes};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::futurepay::{
    Agreement, AgreementStatus, AmountOption, CancelClaim, End, FuturePayPlan, Interval,
    IntervalUnit, SoldPlan, Start,
};
use selectpay_domain::gateway::Gateway;
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::order::{CustomField, Order, Shopper};
use selectpay_domain::ports::{Commit, Delivery};
use time::macros::{date, datetime};
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

pub fn future_pay_id(id: &str) -> FuturePayId {
    FuturePayId::parse(id).expect("futurePayId")
}

pub fn email(address: &str) -> EmailAddress {
    EmailAddress::parse(address).expect("email address")
}

/// The idempotency key the domain uses for an authorisation.
pub fn trans_key(trans: &str) -> IdempotencyKey {
    IdempotencyKey::payment(&trans_id(trans))
}

/// A mail id as a store holds it, whatever event it names: a store keeps any id whole.
pub fn mail_id(text: &str) -> MailId {
    MailId::from_stored(text)
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
            future_pay: None,
            gateway: Gateway::WorldPay,
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
        sells_plan: state.future_pay.is_some(),
        description: state.description,
    }
}

pub fn interval(unit: IntervalUnit, mult: u16) -> Interval {
    Interval::new(unit, mult).expect("interval")
}

/// A regular plan with every field filled in: a fixed start date, monthly, twelve payments,
/// an initial and a normal amount.
pub fn regular_plan() -> FuturePayPlan {
    FuturePayPlan::Regular {
        option: AmountOption::Adjustable,
        start: Start::Date(date!(2024 - 06 - 01)),
        interval: Some(interval(IntervalUnit::Month, 1)),
        payments: 12,
        initial_amount: Some(money("20.00", "GBP")),
        normal_amount: Some(money("14.99", "GBP")),
    }
}

/// A limited plan: up to 50 KWD (three decimals) within a year, starting after a delay.
pub fn limited_plan() -> FuturePayPlan {
    FuturePayPlan::Limited {
        option: AmountOption::SetPerPayment,
        amount_limit: money("50.125", "KWD"),
        end: End::Length(interval(IntervalUnit::Year, 1)),
        interval: Some(interval(IntervalUnit::Week, 2)),
    }
}

/// [`cart`] asking for a FuturePay agreement with `plan` besides the payment now.
pub fn future_pay_cart(id: &str, plan: FuturePayPlan) -> Cart {
    let mut cart = cart(id);
    cart.order.future_pay = Some(plan);
    cart
}

/// An active agreement on `cart_id` with every field filled in (its plan, a claim, a last payment,
/// failures, a later version), created at `T0` + 1 minute and overdue 35 days after `T0`.
pub fn agreement(id: &str, cart_id: &CartId) -> Agreement {
    Agreement {
        id: future_pay_id(id),
        cart_id: cart_id.clone(),
        status: AgreementStatus::Active,
        plan: Some(SoldPlan {
            plan: limited_plan(),
            currency: Currency::parse("KWD").unwrap(),
        }),
        interval: Some(interval(IntervalUnit::Week, 2)),
        payments_expected: 12,
        payments_made: 2,
        payments_declined: 1,
        last_payment_at: Some(at(3_600)),
        overdue_at: Some(at(35 * 86_400)),
        shopper_email: Some("zoë.müller@example.com".to_owned()),
        cancel_claim: Some(CancelClaim {
            by: "sweep-Zoë-1".to_owned(),
            until: at(7_200),
        }),
        cancel_failures: 2,
        version: 3,
        created_at: at(60),
    }
}

/// An agreement with every optional field empty, as the domain makes one for an unknown
/// cart: no schedule, never overdue, version 1.
pub fn bare_agreement(id: &str, cart_id: &CartId) -> Agreement {
    Agreement::new(future_pay_id(id), cart_id.clone(), None, None, at(60))
}

/// [`agreement`], due at `overdue_at` (never if `None`), with no claim.
pub fn due_agreement(id: &str, cart_id: &CartId, overdue_at: Option<OffsetDateTime>) -> Agreement {
    Agreement {
        overdue_at,
        cancel_claim: None,
        ..agreement(id, cart_id)
    }
}

/// Writes that create `agreement`, guarded by its absence.
pub fn new_agreement(agreement: &Agreement) -> Writes {
    Writes {
        conditions: vec![Condition::AgreementAbsent(agreement.id.clone())],
        agreement: Some(agreement.clone()),
        ..Writes::default()
    }
}

/// Writes that replace `old` by `new`, guarded by `old`'s version.
pub fn agreement_change(old: &Agreement, new: Agreement) -> Writes {
    Writes {
        conditions: vec![Condition::AgreementAt {
            id: old.id.clone(),
            version: old.version,
        }],
        agreement: Some(new),
        ..Writes::default()
    }
}

/// What the decision table writes for an authorised first payment that creates `agreement`
/// on a pending `cart`: [`happy_path`] plus the new agreement, guarded by its absence.
pub fn agreement_created(cart: &Cart, trans: &str, agreement: &Agreement) -> Writes {
    let mut writes = happy_path(cart, trans);
    writes
        .conditions
        .push(Condition::AgreementAbsent(agreement.id.clone()));
    writes.agreement = Some(agreement.clone());
    writes
}

/// What the decision table writes for a scheduled payment `trans` on `agreement`: a saved
/// outcome, the payment, the agreement paid (guarded by its version) and a receipt.
pub fn agreement_payment(agreement: &Agreement, trans: &str, now: OffsetDateTime) -> Writes {
    let cart = cart(agreement.cart_id.as_str());
    let happy = happy_path(&cart, trans);
    Writes {
        conditions: vec![
            Condition::OutcomeAbsent(trans_key(trans)),
            Condition::AgreementAt {
                id: agreement.id.clone(),
                version: agreement.version,
            },
        ],
        saved_outcome: happy.saved_outcome,
        payment: Some(payment(&cart.id, trans, PaymentStatus::Accepted, now)),
        cart_change: None,
        agreement: Some(agreement.paid(now)),
        relabels: Vec::new(),
        mails: vec![mail(MailId::receipt(&trans_id(trans)), Some(&cart.id), now)],
        shopper_returned: None,
        mail_lease: None,
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

pub fn mail(id: MailId, cart_id: Option<&CartId>, created_at: OffsetDateTime) -> Mail {
    Mail {
        id,
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
        query: Some("msgType=authResult&installation=38290&reference=Test%20Item".to_owned()),
    }
}

/// A commit of `writes` caused by `delivery`.
pub fn commit(writes: Writes, delivery: Delivery) -> Commit {
    Commit {
        writes,
        delivery: Some(delivery),
    }
}

/// A commit with no delivery behind it, as the sweep makes.
pub fn sweep_commit(writes: Writes) -> Commit {
    Commit {
        writes,
        delivery: None,
    }
}

/// What the decision table writes for an authorised payment that matches a pending `cart`:
/// conditions, saved outcome, accepted payment, cart → paid, receipt and order notice.
/// Everything is dated one minute after the cart.
pub fn happy_path(cart: &Cart, trans: &str) -> Writes {
    let now = cart.created_at + Duration::minutes(1);
    let receipt = mail(MailId::receipt(&trans_id(trans)), Some(&cart.id), now);
    let notice = Mail {
        id: MailId::order_notice(&trans_id(trans)),
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
        agreement: None,
        relabels: Vec::new(),
        mails: vec![receipt, notice],
        shopper_returned: None,
        mail_lease: None,
    }
}
