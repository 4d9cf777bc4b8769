//! What the domain's integration tests share.

use selectpay_domain::callback::hold::HoldRules;
use selectpay_domain::cart::CartState;
use selectpay_domain::decision::Snapshot;
use selectpay_domain::email::EmailAddress;
use selectpay_domain::futurepay::Agreement;
use selectpay_domain::ids::InstallationId;
use selectpay_domain::secret::Secret;
use selectpay_domain::settings::{BaseUrl, Mode, Settings, SignatureFields};

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
