use super::*;

fn defaults() -> DevDefaults {
    DevDefaults {
        public_base_url: "http://127.0.0.1:3000".into(),
    }
}

#[test]
fn falls_back_to_dev_defaults_and_says_which() {
    let loaded = Config::load(|_| None, Some(&defaults())).unwrap();
    assert_eq!(loaded.config.settings.mode, Mode::Test);
    assert!(loaded.defaulted.contains(&"SELECTPAY_CALLBACK_PASSWORD"));
}

#[test]
fn secrets_are_optional_without_defaults() {
    let required = [
        ("SELECTPAY_MODE", "live"),
        ("SELECTPAY_INSTALLATION_ID", "1"),
        ("SELECTPAY_PUBLIC_BASE_URL", "https://shop.example"),
        ("SELECTPAY_MERCHANT_EMAIL", "m@shop.example"),
        ("SELECTPAY_SENDER_EMAIL", "s@shop.example"),
        ("SELECTPAY_OPERATOR_EMAIL", "o@shop.example"),
    ];
    let lookup = |name: &str| {
        required
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    };
    let config = Config::load(lookup, None).unwrap().config;
    assert!(config.api_key.is_none());
    assert!(config.settings.callback_password.is_none());
}

#[test]
fn requires_everything_else_without_defaults() {
    let err = Config::load(|_| None, None).unwrap_err();
    assert!(matches!(err, ConfigError::Missing("SELECTPAY_MODE")));
}

#[test]
fn refuses_dev_secrets_in_live_mode() {
    let lookup = |name: &str| (name == "SELECTPAY_MODE").then(|| "live".to_owned());
    let err = Config::load(lookup, Some(&defaults())).unwrap_err();
    assert!(matches!(err, ConfigError::DevDefaultInLive(_)));
}

#[test]
fn offers_worldpay_alone_unless_told_otherwise() {
    let config = Config::load(|_| None, Some(&defaults())).unwrap().config;
    assert_eq!(config.gateways.default_gateway(), Gateway::WorldPay);
    assert!(config.opayo.is_none());
}

#[test]
fn opayo_gets_its_vendor_password_and_return_url() {
    let lookup = |name: &str| (name == "SELECTPAY_GATEWAYS").then(|| "worldpay,opayo".to_owned());
    let loaded = Config::load(lookup, Some(&defaults())).unwrap();
    let opayo = loaded.config.opayo.unwrap();
    assert_eq!(opayo.vendor.as_str(), "selectpaydev");
    assert!(opayo.encryption_password.is_some());
    assert_eq!(
        opayo.return_url.as_str(),
        "http://127.0.0.1:3000/return/opayo"
    );
    assert!(
        loaded
            .defaulted
            .contains(&"SELECTPAY_OPAYO_ENCRYPTION_PASSWORD")
    );
}

#[test]
fn refuses_a_bad_opayo_password_or_the_dev_one_in_live_mode() {
    let short = |name: &str| match name {
        "SELECTPAY_GATEWAYS" => Some("opayo".to_owned()),
        "SELECTPAY_OPAYO_ENCRYPTION_PASSWORD" => Some("too-short".to_owned()),
        _ => None,
    };
    let err = Config::load(short, Some(&defaults())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("SELECTPAY_OPAYO_ENCRYPTION_PASSWORD")
    );
    assert!(!err.to_string().contains("too-short"));
    let live = |name: &str| match name {
        "SELECTPAY_GATEWAYS" => Some("opayo".to_owned()),
        "SELECTPAY_MODE" => Some("live".to_owned()),
        "SELECTPAY_CALLBACK_PASSWORD" | "SELECTPAY_API_KEY" => Some("set".to_owned()),
        _ => None,
    };
    let err = Config::load(live, Some(&defaults())).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::DevDefaultInLive("SELECTPAY_OPAYO_ENCRYPTION_PASSWORD")
    ));
}

#[test]
fn rejects_invalid_values_by_name() {
    let lookup = |name: &str| (name == "SELECTPAY_MERCHANT_EMAIL").then(|| "nope".to_owned());
    let err = Config::load(lookup, Some(&defaults())).unwrap_err();
    assert!(err.to_string().starts_with("SELECTPAY_MERCHANT_EMAIL"));
}

#[test]
fn hold_rules_default_and_a_bad_entry_is_named() {
    let loaded = Config::load(|_| None, Some(&defaults())).unwrap();
    assert_eq!(
        loaded.config.settings.hold_rules,
        HoldRules::default_rules()
    );
    let lookup =
        |name: &str| (name == "SELECTPAY_HOLD_ON").then(|| "cvv_not_matched,avs_bad".to_owned());
    let err = Config::load(lookup, Some(&defaults())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("SELECTPAY_HOLD_ON: unknown rule `avs_bad`"),
        "{err}"
    );
}

#[test]
fn claim_grace_defaults_to_30_minutes_and_takes_whole_minutes() {
    let loaded = Config::load(|_| None, Some(&defaults())).unwrap();
    assert_eq!(loaded.config.claim_grace, time::Duration::minutes(30));
    let set = |value: &'static str| {
        move |name: &str| (name == "SELECTPAY_CLAIM_GRACE_MINUTES").then(|| value.to_owned())
    };
    let loaded = Config::load(set("45"), Some(&defaults())).unwrap();
    assert_eq!(loaded.config.claim_grace, time::Duration::minutes(45));
    for bad in ["0", "-5", "half an hour"] {
        let err = Config::load(set(bad), Some(&defaults())).unwrap_err();
        assert!(
            err.to_string().starts_with("SELECTPAY_CLAIM_GRACE_MINUTES"),
            "{err}"
        );
    }
}
