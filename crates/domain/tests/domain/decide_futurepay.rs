//! `decide` on FuturePay payments: the plan the shop sold, not the browser's, decides what a
//! payment counts for.

use selectpay_domain::callback::{Form, PaymentResponse, Verdict, verify};
use selectpay_domain::cart::{CartState, CartStatus, PaymentStatus, ReviewReason};
use selectpay_domain::decision::{Condition, Decision, Snapshot, decide, decide_unknown_cartless};
use selectpay_domain::futurepay::{Agreement, AgreementStatus, FuturePayPlan, SoldPlan};
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::mail::MailKind;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::outcome::Outcome;
use selectpay_domain::token::NEW_AGREEMENT_FIELD;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::support::{self, snapshot};

const NOW: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);
/// 1 December 2026, 09:00 UTC, in epoch milliseconds.
const PAID_AT_MS: &str = "1796115600000";

fn gbp(amount: &str) -> Money {
    Money::parse(amount, Currency::parse("GBP").unwrap()).unwrap()
}

/// 14.99 now, then 9.99 a month from 1 December.
fn plan() -> FuturePayPlan {
    support::monthly_from_december(gbp("9.99"))
}

fn cart(status: CartStatus, future_pay: Option<FuturePayPlan>) -> CartState {
    CartState {
        status,
        amount: gbp("14.99"),
        paid_by: None,
        future_pay,
        description: "Tea club".into(),
    }
}

fn agreement() -> Agreement {
    Agreement::new(
        FuturePayId::parse("193743").unwrap(),
        CartId::parse("sub1").unwrap(),
        Some(SoldPlan {
            plan: plan(),
            currency: Currency::parse("GBP").unwrap(),
        }),
        None,
        datetime!(2026-11-22 10:00 UTC),
    )
}

fn response(fields: &[(&str, &str)]) -> PaymentResponse {
    let form: Form = [
        ("callbackPW", "pw"),
        ("instId", "38290"),
        ("cartId", "sub1"),
        ("currency", "GBP"),
        ("testMode", "100"),
        ("email", "shopper@example.com"),
    ]
    .into_iter()
    .filter(|(name, _)| !fields.iter().any(|(n, _)| n == name))
    .chain(fields.iter().copied())
    .collect();
    match verify(form, &support::settings()) {
        Verdict::Authentic(response) => *response,
        other => panic!("not authentic: {other:?}"),
    }
}

fn decided(fields: &[(&str, &str)], snapshot: Snapshot) -> Decision {
    support::in_context(NOW, |ctx| {
        decide(ctx, &response(fields), &snapshot).unwrap()
    })
}

fn later_payment(
    amount: &str,
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("transStatus", "Y".to_owned()),
        ("transId", "5002".to_owned()),
        ("futurePayId", "193743".to_owned()),
        ("amount", amount.to_owned()),
        ("transTime", PAID_AT_MS.to_owned()),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, (*value).to_owned()));
    }
    fields
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

/// The first payment, by transaction 5001, of the pending cart that sells [`plan`]; with the
/// agreement it creates when `creating`.
fn first_payment(amount: &str, creating: bool) -> Decision {
    let mut fields = vec![
        ("transStatus", "Y"),
        ("transId", "5001"),
        ("amount", amount),
    ];
    if creating {
        fields.extend([("futurePayId", "193743"), (NEW_AGREEMENT_FIELD, "1")]);
    }
    decided(
        &fields,
        snapshot(Some(cart(CartStatus::Pending, Some(plan()))), None),
    )
}

fn payment_status(decision: &Decision) -> Option<PaymentStatus> {
    decision.writes.payment.as_ref().map(|p| p.status)
}

#[test]
fn a_plan_cart_paid_without_an_agreement_is_held_not_paid() {
    let decision = first_payment("14.99", false);
    let held = PaymentStatus::Review(ReviewReason::PlanMissing);
    assert_eq!(payment_status(&decision), Some(held));
    assert_eq!(decision.writes.cart_change, None);
    assert_eq!(decision.writes.agreement, None);
    assert_eq!(decision.writes.mails.len(), 1);
    assert_eq!(decision.writes.mails[0].kind, MailKind::MerchantAlert);
}

#[test]
fn a_first_payment_of_the_wrong_amount_holds_the_agreement_in_review() {
    let decision = first_payment("1.00", true);
    assert_eq!(
        decision.outcome,
        Outcome::Review(ReviewReason::AmountMismatch)
    );
    let agreement = decision.writes.agreement.as_ref().unwrap();
    assert_eq!(agreement.status, AgreementStatus::InReview);
    assert_eq!(agreement.overdue_at, None, "never due");
    assert!(decision.writes.mails[0].text.contains("held in review"));
}

#[test]
fn a_matching_first_payment_creates_an_active_agreement_scheduled_by_the_plan() {
    let decision = first_payment("14.99", true);
    assert_eq!(decision.outcome, Outcome::Paid);
    let agreement = decision.writes.agreement.as_ref().unwrap();
    assert_eq!(agreement.status, AgreementStatus::Active);
    assert_eq!(agreement.overdue_at, Some(datetime!(2026-12-05 00:00 UTC)));
}

#[test]
fn later_payments_are_checked_against_the_stored_plan() {
    let plan_cart = || Some(cart(CartStatus::Paid, Some(plan())));
    for (amount, currency, expected) in [
        ("9.99", "GBP", None),
        ("5.00", "GBP", Some(ReviewReason::AmountMismatch)),
        ("9.99", "USD", Some(ReviewReason::CurrencyMismatch)),
    ] {
        let fields = later_payment(amount, &[]);
        let mut fields = as_refs(&fields);
        fields.push(("currency", currency));
        let decision = decided(&fields, snapshot(plan_cart(), Some(agreement())));
        match expected {
            None => {
                assert_eq!(decision.outcome, Outcome::AgreementPayment);
                assert_eq!(payment_status(&decision), Some(PaymentStatus::Accepted));
                let paid = decision.writes.agreement.as_ref().unwrap();
                assert_eq!(
                    paid.overdue_at,
                    Some(datetime!(2027-01-05 00:00 UTC)),
                    "a month and four days from the gateway's transTime"
                );
                assert_eq!(decision.writes.mails[0].kind, MailKind::Receipt);
            }
            Some(reason) => {
                assert_eq!(
                    decision.outcome,
                    Outcome::Review(reason),
                    "{amount} {currency}"
                );
                assert_eq!(
                    payment_status(&decision),
                    Some(PaymentStatus::Review(reason))
                );
                assert_eq!(decision.writes.agreement, None, "due time unchanged");
                assert!(
                    decision
                        .writes
                        .conditions
                        .contains(&Condition::AgreementAt {
                            id: agreement().id,
                            version: agreement().version
                        }),
                    "decided on the agreement as read"
                );
                let kinds: Vec<MailKind> = decision.writes.mails.iter().map(|m| m.kind).collect();
                assert_eq!(kinds, [MailKind::MerchantAlert], "no receipt");
                assert!(decision.reply.page.contains("being checked"));
            }
        }
    }
}

#[test]
fn the_plan_kept_on_the_agreement_decides_not_the_carts_row() {
    let cheaper = support::monthly_from_december(gbp("5.00"));
    for cart_read in [Some(cart(CartStatus::Paid, Some(cheaper))), None] {
        let read_cart = cart_read.is_some();
        for (amount, expected) in [
            ("9.99", PaymentStatus::Accepted),
            ("5.00", PaymentStatus::Review(ReviewReason::AmountMismatch)),
        ] {
            let fields = later_payment(amount, &[]);
            let decision = decided(
                &as_refs(&fields),
                snapshot(cart_read.clone(), Some(agreement())),
            );
            assert_eq!(
                payment_status(&decision),
                Some(expected),
                "{amount}, cart read: {read_cart}"
            );
        }
    }
}

#[test]
fn an_agreement_recorded_before_plans_were_kept_uses_its_carts_plan() {
    let legacy = Agreement {
        plan: None,
        ..agreement()
    };
    let plan_cart = Some(cart(CartStatus::Paid, Some(plan())));
    let fields = later_payment("9.99", &[]);
    let decision = decided(&as_refs(&fields), snapshot(plan_cart, Some(legacy)));
    assert_eq!(payment_status(&decision), Some(PaymentStatus::Accepted));
}

#[test]
fn a_late_callback_for_an_old_payment_does_not_move_the_due_time() {
    let current = agreement().paid(datetime!(2026-12-01 09:00 UTC));
    // 1 November 2026, long before the latest payment.
    let fields = later_payment(
        "9.99",
        &[("transId", "4999"), ("transTime", "1793523600000")],
    );
    let decision = decided(
        &as_refs(&fields),
        snapshot(
            Some(cart(CartStatus::Paid, Some(plan()))),
            Some(current.clone()),
        ),
    );
    assert_eq!(decision.outcome, Outcome::AgreementPayment);
    let after = decision.writes.agreement.unwrap();
    assert_eq!(after.overdue_at, current.overdue_at);
    assert_eq!(after.payments_made, 2);
}

#[test]
fn a_payment_for_an_unknown_agreement_schedules_nothing() {
    let fields = later_payment("9.99", &[]);
    let decision = decided(
        &as_refs(&fields),
        snapshot(Some(cart(CartStatus::Paid, Some(plan()))), None),
    );
    assert_eq!(
        decision.outcome,
        Outcome::Review(ReviewReason::UnknownAgreement)
    );
    assert_eq!(decision.writes.agreement, None);
    assert_eq!(decision.writes.cart_change, None);
    let mail = &decision.writes.mails[0];
    assert_eq!(mail.kind, MailKind::OperatorAlert);
    assert!(mail.text.contains("Callback Failure Alert"));
}

#[test]
fn a_payment_after_the_agreement_ended_is_to_refund() {
    let ended = agreement().ended(AgreementStatus::CancelledByCustomer);
    let fields = later_payment("9.99", &[]);
    let decision = decided(
        &as_refs(&fields),
        snapshot(Some(cart(CartStatus::Paid, Some(plan()))), Some(ended)),
    );
    assert_eq!(
        decision.outcome,
        Outcome::Review(ReviewReason::AgreementEnded)
    );
    assert_eq!(decision.writes.agreement, None);
    assert!(decision.writes.mails[0].text.contains("refund"));
    assert!(!decision.reply.page.contains("Thank you"));
}

#[test]
fn a_payment_reactivates_a_suspended_agreement_and_says_so() {
    let suspended = agreement().suspended();
    let fields = later_payment("9.99", &[]);
    let decision = decided(
        &as_refs(&fields),
        snapshot(Some(cart(CartStatus::Paid, Some(plan()))), Some(suspended)),
    );
    let after = decision.writes.agreement.unwrap();
    assert_eq!(after.status, AgreementStatus::Active);
    assert!(decision.writes.mails[0].subject.contains("active again"));
}

#[test]
fn a_status_change_from_the_other_mode_changes_nothing() {
    // The support settings are a test installation: a live callback is the other mode.
    let decision = decided(
        &[
            ("futurePayId", "193743"),
            ("futurePayStatusChange", "Merchant Cancelled"),
            ("testMode", "0"),
        ],
        snapshot(None, Some(agreement())),
    );
    assert_eq!(decision.writes.agreement, None);
    assert_eq!(
        decision.writes.saved_outcome, None,
        "a genuine one still counts"
    );
    assert_eq!(
        decision.writes.conditions,
        [Condition::MailAbsent(decision.writes.mails[0].id.clone())],
        "one alert an hour"
    );
    assert!(
        decision.writes.mails[0]
            .id
            .as_str()
            .starts_with("test-mode#2026-12-01T10")
    );
}

#[test]
fn a_declined_payment_says_it_was_declined() {
    let decision = decided(
        &[
            ("transStatus", "N"),
            ("transId", "5003"),
            ("futurePayId", "193743"),
            ("amount", "9.99"),
        ],
        snapshot(
            Some(cart(CartStatus::Paid, Some(plan()))),
            Some(agreement()),
        ),
    );
    assert_eq!(decision.outcome, Outcome::AgreementDeclined);
    assert!(decision.reply.page.contains("Payment declined"));
    assert!(!decision.reply.page.contains("has been received"));
    assert!(decision.writes.mails[0].subject.contains("declined"));
}

#[test]
fn a_callback_without_a_cart_for_an_unknown_agreement_only_alerts() {
    let form: Form = [
        ("callbackPW", "pw"),
        ("instId", "38290"),
        ("futurePayId", "999"),
        ("transStatus", "Y"),
        ("transId", "7001"),
        ("testMode", "100"),
    ]
    .into_iter()
    .collect();
    let Verdict::WithoutCart(cartless) = verify(form, &support::settings()) else {
        panic!("no cart");
    };
    let decision = support::in_context(NOW, |ctx| decide_unknown_cartless(ctx, &cartless).unwrap());
    assert_eq!(decision.outcome, Outcome::UnknownAgreement);
    assert_eq!(decision.writes.payment, None);
    let mail = &decision.writes.mails[0];
    assert_eq!(mail.kind, MailKind::OperatorAlert);
    assert!(mail.text.contains("Callback Failure Alert"));
    assert_eq!(
        decision.writes.conditions,
        [Condition::MailAbsent(mail.id.clone())],
        "once per delivery"
    );
}
