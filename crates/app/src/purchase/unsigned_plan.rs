//! Without an MD5 secret a FuturePay plan is as editable in the shopper's browser as the
//! amount. Payments are still checked against the stored plan, so nothing is fulfilled on a
//! tampered one, but the merchant should sign: said once per process, in live mode, where it
//! costs real money to sort out.

use std::sync::Once;

use selectpay_domain::settings::{Mode, Settings};

static WARNED: Once = Once::new();

pub(super) fn warn_once_if_unsigned(settings: &Settings) {
    if settings.md5_secret.is_none() && settings.mode == Mode::Live {
        WARNED.call_once(|| {
            tracing::warn!(
                target: "selectpay::purchase",
                "a FuturePay plan is being sold without an MD5 secret: the shopper can change \
                 it before WorldPay sets the agreement up; set SELECTPAY_MD5_SECRET"
            );
        });
    }
}
