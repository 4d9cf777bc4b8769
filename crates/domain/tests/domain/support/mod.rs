//! What the domain's integration tests share.

use proptest::prelude::*;
use selectpay_domain::callback::hold::HoldRules;
use selectpay_domain::cart::CartState;
use selectpay_domain::decision::{Context, Snapshot};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::futurepay::{
    Agreement, AmountOption, FuturePayPlan, Interval, IntervalUnit, Start,
};
use selectpay_domain::ids::InstallationId;
use selectpay_domain::money::Money;
use selectpay_domain::render::Templates;
use selectpay_domain::secret::Secret;
use selectpay_domain::settings::{BaseUrl, Mode, Settings, SignatureFields};
use time::OffsetDateTime;

/// A test-mode installation 38290 whose callback password is `pw`, holding on the default
/// risk rules.
pub fn settings() -> Settings {
    Settings {
        mode: Mode::Test,
        installation_id: InstallationId::parse("38290").unwrap(),
        callback_password: Secret::new("pw"),
        md5_secret: None,
        signature_fields: SignatureFields::parse(SignatureFields::DEFAULT).unwrap(),
        public_base_url: BaseUrl::parse("https://shop.example").unwrap(),
        merchant_email: EmailAddress::parse("m@shop.example").unwrap(),
        operator_email: EmailAddress::parse("o@shop.example").unwrap(),
        hold_rules: HoldRules::default_rules(),
    }
}

/// A callback for installation 38290 in which transaction `t1` paid £10.00 for cart `c1`,
/// before any password or optional field.
pub fn payment_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("instId", "38290"),
        ("cartId", "c1"),
        ("transStatus", "Y"),
        ("transId", "t1"),
        ("amount", "10.00"),
        ("currency", "GBP"),
    ]
}

/// What a store hands `decide` for a first delivery: nothing saved, this cart and agreement.
pub fn snapshot(cart: Option<CartState>, agreement: Option<Agreement>) -> Snapshot {
    Snapshot {
        saved: None,
        cart,
        agreement,
    }
}

/// A fixed `normal` a month from 1 December 2026, with no end: nothing but the amount
/// differs between the plans the tests sell.
pub fn monthly_from_december(normal: Money) -> FuturePayPlan {
    FuturePayPlan::Regular {
        option: AmountOption::Fixed,
        start: Start::Date(time::macros::date!(2026 - 12 - 01)),
        interval: Some(Interval::new(IntervalUnit::Month, 1).unwrap()),
        payments: 0,
        initial_amount: None,
        normal_amount: Some(normal),
    }
}

/// Bytes strung together from up to `max_pieces` pieces, each one of `words` or, as often
/// as any one word, a piece of `noise`: input shaped like what a parser looks for, which
/// reaches its paths far more often than arbitrary bytes do.
pub fn strung_from(
    words: &'static [&'static [u8]],
    noise: impl Strategy<Value = Vec<u8>> + 'static,
    max_pieces: usize,
) -> impl Strategy<Value = Vec<u8>> {
    let weight = u32::try_from(words.len()).unwrap();
    let word = prop::sample::select(words).prop_map(<[u8]>::to_vec);
    let piece = prop_oneof![weight => word, 1 => noise];
    prop::collection::vec(piece, 0..max_pieces).prop_map(|pieces| pieces.concat())
}

/// `run` with what deciding needs: [`settings`], the built-in templates, and `now`.
pub fn in_context<T>(now: OffsetDateTime, run: impl FnOnce(&Context) -> T) -> T {
    let settings = settings();
    let templates = Templates::builtin();
    run(&Context {
        settings: &settings,
        templates: &templates,
        now,
    })
}
