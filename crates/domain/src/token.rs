//! The purchase token: the form the shopper's browser posts to WorldPay.

use md5::{Digest, Md5};
use serde::Serialize;

use crate::cart::Cart;
use crate::futurepay::signature::signed_field_names;
use crate::settings::Settings;

/// A callback-only field that plan tokens carry. WorldPay returns `M_` fields with the
/// purchase's own callback but never with the agreement's later ones, so it tells the
/// payment that creates an agreement from a later payment whose agreement we never heard
/// of. A shopper who removes it only gets their payment held.
pub const NEW_AGREEMENT_FIELD: &str = "M_selectpayNewAgreement";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseToken {
    pub action: &'static str,
    /// In the order they go into the form.
    pub fields: Vec<(String, String)>,
}

impl PurchaseToken {
    pub fn for_cart(settings: &Settings, cart: &Cart) -> Self {
        let amount = cart.order.amount.decimal();
        let order = &cart.order;
        let required: [(&str, &str); 6] = [
            ("instId", settings.installation_id.as_str()),
            ("cartId", cart.id.as_str()),
            ("amount", amount.as_str()),
            ("currency", order.amount.currency().code()),
            ("desc", order.description.as_str()),
            ("testMode", settings.mode.test_mode_field()),
        ];
        let mut fields: Vec<(String, String)> = required
            .into_iter()
            .chain(
                order
                    .shopper
                    .token_fields()
                    .map(|(name, value)| (name as &str, value)),
            )
            .chain(order.custom_fields.iter().map(|f| (f.name(), f.value())))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .chain(
                order
                    .future_pay
                    .iter()
                    .flat_map(|plan| plan.token_fields())
                    .chain(
                        order
                            .future_pay
                            .iter()
                            .map(|_| (NEW_AGREEMENT_FIELD, "1".into())),
                    )
                    .map(|(name, value)| (name.to_owned(), value)),
            )
            .collect();
        if let Some(secret) = &settings.md5_secret {
            let names =
                signed_field_names(settings.signature_fields.names(), order.future_pay.as_ref());
            let values: Vec<&str> = names
                .iter()
                .map(|name| field(&fields, name).unwrap_or_default())
                .collect();
            let signature = md5_signature(secret.expose(), &values);
            fields.push(("signatureFields".to_owned(), names.join(":")));
            fields.push(("signature".to_owned(), signature));
        }
        Self {
            action: settings.mode.purchase_url(),
            fields,
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// WorldPay's MD5 option: `hex(md5(secret:value1:value2…))`, values exactly as posted.
pub fn md5_signature(secret: &str, values: &[&str]) -> String {
    let mut hasher = Md5::new();
    hasher.update(secret.as_bytes());
    for value in values {
        hasher.update(b":");
        hasher.update(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_worldpays_published_vectors() {
        assert_eq!(
            md5_signature("secret", &["5.00", "GBP", "99999", "1"]),
            "adbfc78d82c9a23cbc075f4dfe05daed"
        );
        assert_eq!(
            md5_signature("foo", &["6789", "GBP", "12.00"]),
            "40de577b14c3d24650bb9e16715d6e0f"
        );
    }
}
