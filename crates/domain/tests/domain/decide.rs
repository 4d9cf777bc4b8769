//! `decide` itself, one test row per row of the decision table in README.md ("The callback"
//! and "FuturePay agreements") that it handles: a snapshot in, an outcome, a page and the
//! writes out. The rows about refused deliveries and an unavailable store are the app's.

use selectpay_domain::callback::{PaymentResponse, Verdict, verify};
use selectpay_domain::cart::{CartState, CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::decision::{
    CartChange, Condition, Reply, SavedOutcome, Snapshot, Writes, decide,
};
use selectpay_domain::futurepay::{Agreement, AgreementStatus, SoldPlan};
use selectpay_domain::idempotency_key::IdempotencyKey;
use selectpay_domain::ids::{CartId, FuturePayId, TransId};
use selectpay_domain::mail::MailKind;
use selectpay_domain::mail_id::MailId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::outcome::Outcome;
use selectpay_domain::token::NEW_AGREEMENT_FIELD;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::support::{self, snapshot};

const NOW: OffsetDateTime = datetime!(2026-11-22 12:00 UTC);
const SHOPPER: &str = "s@shop.example";
const MERCHANT: &str = "m@shop.example";
const OPERATOR: &str = "o@shop.example";

/// A test-mode payment of £10.00 for cart `c1` by transaction `t1`, from a shopper with an
/// address, with `changes` replacing or adding fields (an empty value removes one).
fn response(changes: &[(&str, &str)]) -> PaymentResponse {
    let mut fields = support::payment_fields();
    fields.extend([
        ("callbackPW", "pw"),
        ("testMode", "100"),
        ("email", SHOPPER),
    ]);
    for &(name, value) in changes {
        fields.retain(|(n, _)| *n != name);
        if !value.is_empty() {
            fields.push((name, value));
        }
    }
    match verify(fields.into_iter().collect(), &support::settings()) {
        Verdict::Authentic(response) => *response,
        other => panic!("not authentic: {other:?}"),
    }
}

fn gbp(amount: &str) -> Money {
    Money::parse(amount, Currency::parse("GBP").unwrap()).unwrap()
}

fn cart_id() -> CartId {
    CartId::parse("c1").unwrap()
}

fn trans(id: &str) -> TransId {
    TransId::parse(id).unwrap()
}

fn fp() -> FuturePayId {
    FuturePayId::parse("fp1").unwrap()
}

fn cart(status: CartStatus, amount: &str, paid_by: Option<&str>) -> Option<CartState> {
    Some(CartState {
        status,
        amount: gbp(amount),
        paid_by: paid_by.map(trans),
        future_pay: None,
        description: "Test Item".into(),
    })
}

fn active_agreement() -> Agreement {
    Agreement::new(fp(), cart_id(), None, Some(SHOPPER.into()), NOW)
}

/// The conditions of a first delivery under `key`: nothing saved under it, the cart (and
/// the agreement, if the response names one) as read.
fn first(key: &IdempotencyKey, snapshot: &Snapshot, future_pay: bool) -> Vec<Condition> {
    let mut conditions = vec![
        Condition::OutcomeAbsent(key.clone()),
        match &snapshot.cart {
            None => Condition::CartAbsent(cart_id()),
            Some(cart) => Condition::CartIs {
                cart_id: cart_id(),
                status: cart.status,
                amount: cart.amount,
                paid_by: cart.paid_by.clone(),
                sells_plan: cart.future_pay.is_some(),
                description: cart.description.clone(),
            },
        },
    ];
    if future_pay {
        conditions.push(match &snapshot.agreement {
            None => Condition::AgreementAbsent(fp()),
            Some(agreement) => Condition::AgreementAt {
                id: fp(),
                version: agreement.version,
            },
        });
    }
    conditions
}

/// What a decision wrote, with each mail reduced to what it is, its id and recipient.
#[derive(Debug, PartialEq)]
struct Written {
    conditions: Vec<Condition>,
    saved_key: Option<IdempotencyKey>,
    payment: Option<(TransId, CartId, PaymentStatus)>,
    cart_change: Option<CartChange>,
    agreement: Option<Agreement>,
    mails: Vec<(MailKind, MailId, String)>,
}

impl From<&Writes> for Written {
    fn from(writes: &Writes) -> Self {
        Self {
            conditions: writes.conditions.clone(),
            saved_key: writes.saved_outcome.as_ref().map(|s| s.key.clone()),
            payment: writes
                .payment
                .as_ref()
                .map(|p| (p.trans_id.clone(), p.cart_id.clone(), p.status)),
            cart_change: writes.cart_change.clone(),
            agreement: writes.agreement.clone(),
            mails: writes
                .mails
                .iter()
                .map(|m| (m.kind, m.id.clone(), m.to.to_string()))
                .collect(),
        }
    }
}

impl Written {
    fn first(key: IdempotencyKey, snapshot: &Snapshot, future_pay: bool) -> Self {
        Self {
            conditions: first(&key, snapshot, future_pay),
            saved_key: Some(key),
            ..Self::nothing()
        }
    }

    fn nothing() -> Self {
        Self {
            conditions: Vec::new(),
            saved_key: None,
            payment: None,
            cart_change: None,
            agreement: None,
            mails: Vec::new(),
        }
    }
}

fn mail(kind: MailKind, id: MailId, to: &str) -> (MailKind, MailId, String) {
    (kind, id, to.into())
}

fn recorded(trans_id: &str, status: PaymentStatus) -> Option<(TransId, CartId, PaymentStatus)> {
    Some((trans(trans_id), cart_id(), status))
}

fn cart_change(status: CartStatus, paid_by: Option<&str>) -> Option<CartChange> {
    Some(CartChange {
        cart_id: cart_id(),
        status,
        paid_by: paid_by.map(trans),
    })
}

/// The title of each built-in page, which tells them apart.
const THANKS: &str = "<title>Thank you for your order</title>";
const CANCELLED: &str = "<title>Payment cancelled</title>";
const REVIEW: &str = "<title>Payment received</title>";
const DECLINED: &str = "<title>Payment declined</title>";

struct Row {
    situation: &'static str,
    response: PaymentResponse,
    snapshot: Snapshot,
    outcome: Outcome,
    page: &'static str,
    written: Written,
}

fn check(rows: Vec<Row>) {
    for row in rows {
        let decision = support::in_context(NOW, |ctx| {
            decide(ctx, &row.response, &row.snapshot).unwrap()
        });
        let situation = row.situation;
        assert_eq!(decision.outcome, row.outcome, "{situation}: outcome");
        assert_eq!(decision.reply.status, 200, "{situation}: status");
        assert!(
            decision.reply.page.contains(row.page),
            "{situation}: page {}",
            decision.reply.page
        );
        assert_eq!(
            Written::from(&decision.writes),
            row.written,
            "{situation}: writes"
        );
        if let Some(saved) = &decision.writes.saved_outcome {
            assert_eq!(saved.reply, decision.reply, "{situation}: saved reply");
            assert_eq!(saved.fingerprint, row.response.fingerprint);
        }
    }
}

/// The key of a first delivery of a payment by `t1`.
fn t1_key() -> IdempotencyKey {
    IdempotencyKey::payment(&trans("t1"))
}

fn merchant_alert(id: MailId) -> (MailKind, MailId, String) {
    mail(MailKind::MerchantAlert, id, MERCHANT)
}

/// The shopper's receipt and the merchant's order notice for a payment by `t1`.
fn paid_mails() -> Vec<(MailKind, MailId, String)> {
    vec![
        mail(MailKind::Receipt, MailId::receipt(&trans("t1")), SHOPPER),
        mail(
            MailKind::OrderNotice,
            MailId::order_notice(&trans("t1")),
            MERCHANT,
        ),
    ]
}

/// What an accepted payment by `t1` of the cart in `snapshot` writes.
fn written_paid_by_t1(snapshot: &Snapshot, future_pay: bool) -> Written {
    Written {
        payment: recorded("t1", PaymentStatus::Accepted),
        cart_change: cart_change(CartStatus::Paid, Some("t1")),
        mails: paid_mails(),
        ..Written::first(t1_key(), snapshot, future_pay)
    }
}

/// A payment by `t1` of the cart in `snapshot`, accepted: the cart is paid.
fn paid(situation: &'static str, response: PaymentResponse, snapshot: Snapshot) -> Row {
    Row {
        situation,
        response,
        outcome: Outcome::Paid,
        page: THANKS,
        written: written_paid_by_t1(&snapshot, false),
        snapshot,
    }
}

/// A payment by `t1` held for review for `reason`, with an alert to the merchant.
fn review(
    situation: &'static str,
    response: PaymentResponse,
    snapshot: Snapshot,
    reason: ReviewReason,
) -> Row {
    Row {
        situation,
        outcome: Outcome::Review(reason),
        page: REVIEW,
        written: Written {
            payment: recorded("t1", PaymentStatus::Review(reason)),
            mails: vec![merchant_alert(MailId::review(&trans("t1")))],
            ..Written::first(t1_key(), &snapshot, false)
        },
        response,
        snapshot,
    }
}

/// `t1` for a cart another transaction already took: recorded, and the merchant told.
fn double_payment(situation: &'static str, snapshot: Snapshot) -> Row {
    Row {
        situation,
        response: response(&[]),
        outcome: Outcome::DoublePayment,
        page: THANKS,
        written: Written {
            payment: recorded("t1", PaymentStatus::DoublePayment),
            mails: vec![merchant_alert(MailId::double_payment(&trans("t1")))],
            ..Written::first(t1_key(), &snapshot, false)
        },
        snapshot,
    }
}

/// A cancellation of the cart in `snapshot` after a transaction took it: nothing changes.
fn cancel_after_pay(situation: &'static str, snapshot: Snapshot) -> Row {
    Row {
        situation,
        response: response(&[("transStatus", "C")]),
        outcome: Outcome::CancelAfterPay,
        page: THANKS,
        written: Written::first(IdempotencyKey::cancellation(&cart_id()), &snapshot, false),
        snapshot,
    }
}

#[test]
fn payments_and_cancels_for_a_cart() {
    let pending = snapshot(cart(CartStatus::Pending, "10.00", None), None);
    let paid_by_t0 = snapshot(cart(CartStatus::Paid, "10.00", Some("t0")), None);
    let paid_by_t1 = snapshot(cart(CartStatus::Paid, "10.00", Some("t1")), None);
    check(vec![
        paid(
            "authentic Y, pending cart, amount/currency/testMode right",
            response(&[]),
            pending.clone(),
        ),
        Row {
            situation: "authentic Y without a shopper address: no receipt",
            response: response(&[("email", "")]),
            outcome: Outcome::Paid,
            page: THANKS,
            written: Written {
                mails: paid_mails().split_off(1),
                ..written_paid_by_t1(&pending, false)
            },
            snapshot: pending.clone(),
        },
        Row {
            situation: "authentic C, pending cart",
            response: response(&[("transStatus", "C")]),
            outcome: Outcome::Cancelled,
            page: CANCELLED,
            written: Written {
                cart_change: cart_change(CartStatus::Cancelled, None),
                ..Written::first(IdempotencyKey::cancellation(&cart_id()), &pending, false)
            },
            snapshot: pending.clone(),
        },
        double_payment("another transId for a paid cart", paid_by_t0.clone()),
        Row {
            situation: "the paying transaction again under a new key: nothing to do",
            response: response(&[]),
            outcome: Outcome::Duplicate,
            page: THANKS,
            written: Written::first(t1_key(), &paid_by_t1, false),
            snapshot: paid_by_t1,
        },
        cancel_after_pay("C after Y", paid_by_t0),
        review(
            "wrong amount",
            response(&[("amount", "9.99")]),
            pending.clone(),
            ReviewReason::AmountMismatch,
        ),
        review(
            "wrong currency",
            response(&[("currency", "EUR")]),
            pending.clone(),
            ReviewReason::CurrencyMismatch,
        ),
        review(
            "live transaction on a test installation",
            response(&[("testMode", "0")]),
            pending,
            ReviewReason::TestModeNotAllowed,
        ),
        review(
            "unknown cart",
            response(&[]),
            snapshot(None, None),
            ReviewReason::UnknownCart,
        ),
    ]);
}

#[test]
fn every_payment_is_judged_on_its_amount_and_risk() {
    let pending = snapshot(cart(CartStatus::Pending, "10.00", None), None);
    let paid_by_t0 = snapshot(cart(CartStatus::Paid, "10.00", Some("t0")), None);
    let authorised_by_t0 = snapshot(cart(CartStatus::Authorised, "10.00", Some("t0")), None);
    check(vec![
        Row {
            situation: "authentic Y with authMode=E: authorised, not paid",
            response: response(&[("authMode", "E")]),
            outcome: Outcome::Authorised,
            page: "It will be charged when your order is confirmed.",
            written: Written {
                payment: recorded("t1", PaymentStatus::Authorised),
                cart_change: cart_change(CartStatus::Authorised, Some("t1")),
                ..written_paid_by_t1(&pending, false)
            },
            snapshot: pending.clone(),
        },
        double_payment(
            "another transId for a pre-authorised cart",
            authorised_by_t0.clone(),
        ),
        cancel_after_pay("C after a pre-authorisation", authorised_by_t0),
        review(
            "a second transId of 0.01 on a paid cart",
            response(&[("amount", "0.01")]),
            paid_by_t0.clone(),
            ReviewReason::AmountMismatch,
        ),
        review(
            "a second transId in another currency on a paid cart",
            response(&[("currency", "EUR")]),
            paid_by_t0,
            ReviewReason::CurrencyMismatch,
        ),
        review(
            "CVV not matched (default hold rule)",
            response(&[("AVS", "4222")]),
            pending.clone(),
            ReviewReason::Risk,
        ),
        review(
            "WorldAlert caution (default hold rule)",
            response(&[("wafMerchMessage", "waf.caution")]),
            pending.clone(),
            ReviewReason::Risk,
        ),
        paid(
            "postcode not matched is not held by default",
            response(&[("AVS", "2422"), ("wafMerchMessage", "waf.warning")]),
            pending,
        ),
    ]);
}

#[test]
fn repeats_under_a_saved_key() {
    let first = response(&[]);
    let saved = Snapshot {
        saved: Some(SavedOutcome {
            key: IdempotencyKey::payment(&trans("t1")),
            fingerprint: first.fingerprint.clone(),
            reply: Reply {
                status: 200,
                page: THANKS.into(),
            },
        }),
        ..snapshot(cart(CartStatus::Paid, "10.00", Some("t1")), None)
    };
    let changed = response(&[("amount", "1.00")]);
    let conflict_id =
        MailId::conflicting_repeat(&IdempotencyKey::payment(&trans("t1")), &changed.fingerprint);
    check(vec![
        Row {
            situation: "the same delivery again",
            response: first,
            outcome: Outcome::Duplicate,
            page: THANKS,
            written: Written::nothing(),
            snapshot: saved.clone(),
        },
        Row {
            situation: "same transId, different content",
            response: changed,
            outcome: Outcome::ConflictingDuplicate,
            page: THANKS,
            written: Written {
                conditions: vec![Condition::MailAbsent(conflict_id.clone())],
                mails: vec![mail(MailKind::OperatorAlert, conflict_id.clone(), OPERATOR)],
                ..Written::nothing()
            },
            snapshot: saved,
        },
    ]);
}

#[test]
fn futurepay_agreements() {
    let with_id = ("futurePayId", "fp1");
    let agreement = active_agreement();
    // 10.00 now, then 10.00 a month from 1 December.
    let plan = support::monthly_from_december(gbp("10.00"));
    let selling = |cart: Option<CartState>| {
        cart.map(|cart| CartState {
            future_pay: Some(plan.clone()),
            ..cart
        })
    };
    let pending = snapshot(selling(cart(CartStatus::Pending, "10.00", None)), None);
    let free = snapshot(selling(cart(CartStatus::Pending, "0.00", None)), None);
    let known = snapshot(
        selling(cart(CartStatus::Paid, "10.00", Some("t0"))),
        Some(agreement.clone()),
    );
    let sold = SoldPlan {
        plan: plan.clone(),
        currency: Currency::parse("GBP").unwrap(),
    };
    let created = Agreement::new(fp(), cart_id(), Some(sold), Some(SHOPPER.into()), NOW);
    let creating = [with_id, (NEW_AGREEMENT_FIELD, "1")];
    let no_auth = [
        with_id,
        ("transId", ""),
        ("rawAuthMessage", "trans.fpCreatedNoAuth"),
    ];
    let declined = response(&[with_id, ("transStatus", "N"), ("transId", "t2")]);
    let declined_id = MailId::agreement_declined(&fp(), &declined.fingerprint);
    let ended = response(&[with_id, ("futurePayStatusChange", "Customer Cancelled")]);
    let late = response(&[with_id, ("transStatus", "N"), ("transId", "t2")]);
    let unknown_id = MailId::unknown_agreement(&fp(), &late.fingerprint);
    check(vec![
        Row {
            situation: "first callback with a futurePayId and a payment: agreement created",
            response: response(&creating),
            outcome: Outcome::Paid,
            page: THANKS,
            written: Written {
                agreement: Some(created.clone()),
                ..written_paid_by_t1(&pending, true)
            },
            snapshot: pending.clone(),
        },
        Row {
            situation: "agreement created with nothing charged, for a cart of 0.00",
            response: response(&no_auth),
            outcome: Outcome::AgreementCreated,
            page: THANKS,
            written: Written {
                cart_change: cart_change(CartStatus::Paid, None),
                agreement: Some(created.clone()),
                ..Written::first(IdempotencyKey::agreement_created(&fp()), &free, true)
            },
            snapshot: free,
        },
        Row {
            situation: "agreement created with nothing charged, for a cart that expected a payment",
            response: response(&no_auth),
            outcome: Outcome::AgreementCreated,
            page: REVIEW,
            written: Written {
                agreement: Some(created.held_for_review()),
                mails: vec![merchant_alert(MailId::agreement_created(&fp()))],
                ..Written::first(IdempotencyKey::agreement_created(&fp()), &pending, true)
            },
            snapshot: pending,
        },
        Row {
            situation: "FuturePay Y payment",
            response: response(&[with_id, ("transId", "t2"), ("email", "")]),
            outcome: Outcome::AgreementPayment,
            page: THANKS,
            written: Written {
                payment: recorded("t2", PaymentStatus::Accepted),
                agreement: Some(agreement.paid(NOW)),
                mails: vec![mail(
                    MailKind::Receipt,
                    MailId::receipt(&trans("t2")),
                    SHOPPER,
                )],
                ..Written::first(IdempotencyKey::payment(&trans("t2")), &known, true)
            },
            snapshot: known.clone(),
        },
        Row {
            situation: "FuturePay N payment",
            response: declined,
            outcome: Outcome::AgreementDeclined,
            page: DECLINED,
            written: Written {
                payment: recorded("t2", PaymentStatus::Declined),
                agreement: Some(agreement.declined()),
                mails: vec![merchant_alert(declined_id)],
                ..Written::first(
                    IdempotencyKey::agreement_declined(&fp(), &trans("t2")),
                    &known,
                    true,
                )
            },
            snapshot: known.clone(),
        },
        Row {
            situation: "FuturePay status change",
            response: ended,
            outcome: Outcome::AgreementEnded,
            page: CANCELLED,
            written: Written {
                agreement: Some(agreement.ended(AgreementStatus::CancelledByCustomer)),
                mails: vec![merchant_alert(MailId::agreement_ended(&fp()))],
                ..Written::first(IdempotencyKey::agreement_ended(&fp()), &known, true)
            },
            snapshot: known,
        },
        Row {
            situation: "a decline for an agreement we never heard of",
            response: late,
            outcome: Outcome::UnknownAgreement,
            page: REVIEW,
            written: Written {
                mails: vec![merchant_alert(unknown_id)],
                ..Written::first(
                    IdempotencyKey::agreement_declined(&fp(), &trans("t2")),
                    &snapshot(None, None),
                    true,
                )
            },
            snapshot: snapshot(None, None),
        },
    ]);
}

#[test]
fn an_ended_agreement_ends_once() {
    let ended = active_agreement().ended(AgreementStatus::CancelledByMerchant);
    let known = snapshot(cart(CartStatus::Paid, "10.00", Some("t0")), Some(ended));
    check(vec![Row {
        situation: "a status change for an agreement already ended",
        response: response(&[
            ("futurePayId", "fp1"),
            ("futurePayStatusChange", "Customer Cancelled"),
        ]),
        outcome: Outcome::AgreementEnded,
        page: CANCELLED,
        written: Written::first(IdempotencyKey::agreement_ended(&fp()), &known, true),
        snapshot: known,
    }]);
}
