//! What a field named twice in one form means.
//!
//! Custom fields (`M_`, `MC_`, `CM_`, `C_`) are the merchant's own, echoed from the purchase
//! form the shopper's browser posted: a shopper can add a second one, and the FAQ itself
//! mentions sites that send the same custom name several times. Refusing the whole callback
//! for that would leave a paid order unrecorded, so repeated custom fields are kept in
//! order. A protocol field (`transStatus`, `amount`, …) named twice with two values is
//! ambiguous and still refused; the same value twice says nothing new.

/// The prefixes WorldPay passes through untouched.
pub const CUSTOM_PREFIXES: [&str; 4] = ["M_", "MC_", "CM_", "C_"];

pub fn is_custom_field(name: &str) -> bool {
    CUSTOM_PREFIXES
        .iter()
        .any(|prefix| name.len() > prefix.len() && name.starts_with(prefix))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Keep this occurrence after the earlier ones.
    Keep,
    /// Drop it: it repeats an earlier value exactly.
    Drop,
    /// The form is ambiguous.
    Refuse,
}

/// What to do with `value` for a field already seen with `earlier`.
pub fn on_repeat(name: &str, earlier: &str, value: &str) -> Repeat {
    if is_custom_field(name) {
        Repeat::Keep
    } else if earlier == value {
        Repeat::Drop
    } else {
        Repeat::Refuse
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_prefixes_are_the_faqs_four() {
        for name in ["M_var1", "MC_log", "CM_session", "C_return"] {
            assert!(is_custom_field(name), "{name}");
        }
        for name in ["M_", "cartId", "m_var1", "MC", "callbackPW", "transStatus"] {
            assert!(!is_custom_field(name), "{name}");
        }
    }

    #[test]
    fn repeated_custom_fields_are_kept_and_protocol_fields_must_agree() {
        assert_eq!(on_repeat("M_item", "mug", "cup"), Repeat::Keep);
        assert_eq!(on_repeat("M_item", "mug", "mug"), Repeat::Keep);
        assert_eq!(on_repeat("transStatus", "Y", "Y"), Repeat::Drop);
        assert_eq!(on_repeat("transStatus", "Y", "C"), Repeat::Refuse);
        assert_eq!(on_repeat("amount", "14.99", "0.01"), Repeat::Refuse);
    }
}
