//! What replayed callback data says, for the operator's terminal before anything is done.
//!
//! Only what the decision turns on is shown: no name, address or e-mail, and never the
//! password, only whether one is there. Values come from the shopper's side of the form,
//! so control characters are neutralised (a terminal obeys escape sequences) and length is
//! bounded.

use crate::callback::Form;
use crate::callback::auth_mode::AuthMode;
use crate::callback::risk::RiskSignals;

const MAX_VALUE_CHARS: usize = 80;

/// `(label, value)` rows in a fixed order; rows for absent fields are left out.
pub fn describe(form: &Form) -> Vec<(&'static str, String)> {
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    let mut field = |label: &'static str, name: &str| {
        if let Some(value) = form.non_blank(name) {
            rows.push((label, printable(value)));
        }
    };
    field("Status (transStatus)", "transStatus");
    field("FuturePay status change", "futurePayStatusChange");
    field("Cart (cartId)", "cartId");
    field("Transaction (transId)", "transId");
    field("FuturePay agreement", "futurePayId");
    field("Installation (instId)", "instId");
    if let (Some(amount), Some(currency)) = (form.non_blank("amount"), form.non_blank("currency")) {
        rows.push(("Amount", printable(&format!("{amount} {currency}"))));
    }
    if form.non_blank("transStatus") == Some("Y") {
        let mode = match AuthMode::from_form(form) {
            AuthMode::Immediate => "immediate (A): the money is taken",
            AuthMode::PreAuthorisation => {
                "pre-authorisation (E): capture it in WorldPay's admin before it lapses"
            }
        };
        rows.push(("Authorisation", mode.to_owned()));
    }
    let test_mode = match form.non_blank("testMode") {
        None | Some("0") => "live".to_owned(),
        Some(value) => format!("test ({})", printable(value)),
    };
    rows.push(("testMode", test_mode));
    let password = if form.get("callbackPW").is_some() {
        "present (checked against the configured one)"
    } else {
        "absent (you vouch for where this data came from)"
    };
    rows.push(("Callback password", password.to_owned()));
    let signals = RiskSignals::from_form(form).to_string();
    let signals: Vec<&str> = signals.lines().collect();
    if !signals.is_empty() {
        rows.push(("Risk signals", printable(&signals.join("; "))));
    }
    rows
}

/// A value safe to print: control characters shown as `?`, at most 80 characters.
pub fn printable(value: &str) -> String {
    let mut shown: String = value
        .chars()
        .take(MAX_VALUE_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if value.chars().count() > MAX_VALUE_CHARS {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::parse_form;

    fn rows(body: &str) -> Vec<(&'static str, String)> {
        describe(&parse_form(body.as_bytes(), None).unwrap())
    }

    #[test]
    fn the_faqs_authorised_callback_is_summarised_without_personal_data() {
        let shown = rows(
            "instId=38290&amount=14.99&currency=GBP&transStatus=Y&cartId=Test+Item\
             &transId=12227758&authMode=E&testMode=100&AVS=0001&name=WorldPay+Test\
             &email=demo%40uk.worldpay.com&callbackPW=s3cret",
        );
        let text = format!("{shown:?}");
        assert!(
            !text.contains("WorldPay Test") && !text.contains("demo@"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        assert_eq!(shown[0], ("Status (transStatus)", "Y".into()));
        assert!(shown.contains(&("Amount", "14.99 GBP".into())));
        assert!(shown.contains(&(
            "Authorisation",
            "pre-authorisation (E): capture it in WorldPay's admin before it lapses".into()
        )));
        assert!(shown.contains(&("testMode", "test (100)".into())));
        assert!(shown.contains(&(
            "Callback password",
            "present (checked against the configured one)".into()
        )));
        let risk = &shown.last().unwrap().1;
        assert!(
            risk.starts_with("card security code (CVV): not supported; "),
            "{risk}"
        );
    }

    #[test]
    fn a_cancel_without_a_password_says_so() {
        let shown = rows("instId=38290&transStatus=C&cartId=c1");
        assert_eq!(
            shown,
            [
                ("Status (transStatus)", "C".to_owned()),
                ("Cart (cartId)", "c1".to_owned()),
                ("Installation (instId)", "38290".to_owned()),
                ("testMode", "live".to_owned()),
                (
                    "Callback password",
                    "absent (you vouch for where this data came from)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn terminal_escapes_and_floods_are_neutralised() {
        let shown = rows("cartId=%1B%5B2J%1B%5D0%3Bpwned%07");
        assert_eq!(shown[0], ("Cart (cartId)", "?[2J?]0;pwned?".into()));
        let long = rows(&format!("cartId={}", "x".repeat(200)));
        assert_eq!(long[0].1, format!("{}…", "x".repeat(80)));
    }
}
