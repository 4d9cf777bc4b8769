//! The form the shopper's browser posts to Opayo to start a Form transaction.

use crate::settings::Mode;

/// The protocol whose fields [`super::PurchaseRequest`] writes and
/// [`super::ReturnFields`] reads.
pub const VPS_PROTOCOL: &str = "4.00";

/// An immediate sale (rather than a deferred or authenticate-only one).
pub const TX_TYPE: &str = "PAYMENT";

/// Opayo's registration page, whose host differs between test and live.
pub fn register_url(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "https://sandbox.opayo.eu.elavon.com/gateway/service/vspform-register.vsp",
        Mode::Live => "https://live.opayo.eu.elavon.com/gateway/service/vspform-register.vsp",
    }
}

/// The hidden fields of the purchase form, in the order Opayo documents them.
pub fn form_fields<'a>(vendor: &'a str, crypt: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("VPSProtocol", VPS_PROTOCOL),
        ("TxType", TX_TYPE),
        ("Vendor", vendor),
        ("Crypt", crypt),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_protocol_4_payments_to_the_host_of_the_mode() {
        assert_eq!(
            form_fields("myshop", "@00"),
            [
                ("VPSProtocol", "4.00"),
                ("TxType", "PAYMENT"),
                ("Vendor", "myshop"),
                ("Crypt", "@00")
            ]
        );
        assert!(register_url(Mode::Test).starts_with("https://sandbox."));
        assert!(register_url(Mode::Live).starts_with("https://live."));
        for mode in [Mode::Test, Mode::Live] {
            assert!(register_url(mode).ends_with("/gateway/service/vspform-register.vsp"));
        }
    }
}
