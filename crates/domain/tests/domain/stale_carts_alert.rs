//! The merchant's daily list of Opayo carts whose shopper never came back: one id a day,
//! every value escaped in the HTML part, nothing about the shopper.

use selectpay_domain::decision::Context;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::MailKind;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::notices::stale_carts_alert;
use selectpay_domain::render::Templates;
use selectpay_domain::store::AwaitingCart;
use time::macros::datetime;

use crate::support::settings;

fn awaiting(id: &str) -> AwaitingCart {
    AwaitingCart {
        cart_id: CartId::parse(id).unwrap(),
        amount: Money::from_minor_units(123_456, Currency::parse("GBP").unwrap()),
        created_at: datetime!(2026-12-01 21:30 UTC),
    }
}

#[test]
fn one_list_a_day_with_every_value_escaped() {
    let (settings, templates) = (settings(), Templates::builtin());
    let at = |now| Context {
        settings: &settings,
        templates: &templates,
        now,
    };
    let carts = [awaiting("<b>cart&1</b>"), awaiting("c2")];
    let stale = time::Duration::minutes(120);
    let morning =
        stale_carts_alert(&at(datetime!(2026-12-02 00:05 UTC)), &carts, stale, false).unwrap();
    let evening =
        stale_carts_alert(&at(datetime!(2026-12-02 23:55 UTC)), &carts, stale, true).unwrap();
    let tomorrow =
        stale_carts_alert(&at(datetime!(2026-12-03 00:00 UTC)), &carts, stale, false).unwrap();

    assert_eq!(morning.id, evening.id, "one id for the whole UTC day");
    assert_ne!(morning.id, tomorrow.id);
    assert_eq!(morning.kind, MailKind::MerchantAlert);
    assert_eq!(morning.to.as_str(), "m@shop.example");
    assert!(
        morning.html.contains("&lt;b&gt;cart&amp;1&lt;"),
        "{}",
        morning.html
    );
    assert!(!morning.html.contains("<b>cart"), "{}", morning.html);
    assert!(
        morning
            .text
            .contains("1234.56 GBP, sent 2026-12-01T21:30:00Z")
    );
    assert!(morning.text.contains("more than 120 minutes"));
    assert!(!morning.text.contains("carts --stale` lists them all"));
    assert!(evening.text.contains("carts --stale` lists them all"));
}
