//! What the Lambda tests share.

use selectpay_app::config::{Config, DevDefaults};

/// The development configuration: test mode, installation 38290, the dev secrets.
pub fn dev_config() -> Config {
    Config::load(
        |_| None,
        Some(&DevDefaults {
            public_base_url: "https://shop.example".into(),
        }),
    )
    .expect("development defaults are complete")
    .config
}
