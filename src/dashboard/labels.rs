//! How records read on the dashboard: whole-second RFC 3339 times, outcome badges, and a
//! delivery's fields decoded by the charset it arrived in.

use selectpay_domain::callback::parse_form;
use selectpay_domain::ports::Delivery;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub fn time(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// A badge for an outcome, payment, cart, agreement or mail status label, spelt as the API
/// and the logs spell it, toned by whether it is good news, needs a person, or was refused.
pub fn badge(label: &str) -> Value {
    let tone = match label {
        "paid" | "accepted" | "agreement_created" | "agreement_payment" | "sent" | "active"
        | "duplicate" => "good",
        _ if label.starts_with("forbidden:")
            || label.starts_with("invalid:")
            || matches!(label, "too_large" | "store_unavailable") =>
        {
            "refused"
        }
        _ if needs_a_person(label) => "attention",
        _ => "neutral",
    };
    json!({ "text": label, "tone": tone })
}

/// Labels a person has to act on: check a payment, refund one, look at refused callbacks.
pub fn needs_a_person(label: &str) -> bool {
    label.starts_with("review:")
        || label.starts_with("forbidden:")
        || matches!(
            label,
            "double_payment"
                | "conflicting_duplicate"
                | "cancel_after_pay"
                | "unknown_agreement"
                | "not_sent"
                | "cancelled_for_non_payment"
        )
}

/// The delivery's fields as the callback read them (the password was never stored), or its
/// bytes shown lossily when they do not parse.
pub fn delivery_fields(delivery: &Delivery) -> Value {
    match parse_form(&delivery.raw, delivery.content_type.as_deref()) {
        Ok(form) => form
            .fields()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect(),
        Err(error) => json!([{
            "name": format!("(not a form: {error})"),
            "value": String::from_utf8_lossy(&delivery.raw),
        }]),
    }
}
