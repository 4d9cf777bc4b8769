//! Plays WorldPay: builds payment responses with the gateway's field set and encodes them
//! the way the gateway does, in a chosen charset. Used by `selectpay simulate` and tests.

use encoding_rs::Encoding;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use selectpay_domain::token::NEW_AGREEMENT_FIELD;

/// Form encoding keeps only these unescaped (spaces become `+`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b' ');

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pay,
    Cancel,
}

/// What varies between simulated responses; everything else is WorldPay's usual set.
#[derive(Debug, Clone)]
pub struct SimulatedPayment {
    pub action: Action,
    pub installation_id: String,
    pub callback_password: Option<String>,
    pub cart_id: String,
    pub amount: String,
    pub currency: String,
    pub test_mode: String,
    pub trans_id: String,
    pub trans_time_ms: i64,
    pub name: String,
    pub email: String,
    pub description: String,
    /// Reports the purchase as creating this FuturePay agreement.
    pub future_pay_id: Option<String>,
}

impl SimulatedPayment {
    /// The fields in the order WorldPay sends them, as in its callback FAQ's example.
    pub fn fields(&self) -> Vec<(String, String)> {
        let amount_string = format!("{}{}", currency_entity(&self.currency), self.amount);
        let mut fields: Vec<(&str, String)> = vec![
            ("instId", self.installation_id.clone()),
            ("email", self.email.clone()),
            ("country", "GB".into()),
            ("amount", self.amount.clone()),
            ("installation", self.installation_id.clone()),
            ("tel", "0123 456789012".into()),
            ("address", "Test Road\r\nTest Town\r\nTest City".into()),
            ("MC_log", "2379".into()),
            ("amountString", amount_string.clone()),
            ("currency", self.currency.clone()),
            ("testMode", self.test_mode.clone()),
            ("compName", "Company Name".into()),
            ("postcode", "AB1 2CD".into()),
            ("desc", self.description.clone()),
            ("cartId", self.cart_id.clone()),
            ("countryString", "United Kingdom".into()),
            ("name", self.name.clone()),
            ("lang", "en".into()),
        ];
        match self.action {
            Action::Pay => fields.extend([
                ("transStatus", "Y".into()),
                ("transId", self.trans_id.clone()),
                ("transTime", self.trans_time_ms.to_string()),
                ("rawAuthCode", "A".into()),
                ("rawAuthMessage", "cardbe.msg.testSuccess".into()),
                ("authAmount", self.amount.clone()),
                ("authCurrency", self.currency.clone()),
                ("authAmountString", amount_string),
                ("cardType", "Visa".into()),
                ("AVS", "2222".into()),
                ("countryMatch", "Y".into()),
                ("authMode", "A".into()),
            ]),
            Action::Cancel => fields.extend([
                ("transStatus", "C".into()),
                ("rawAuthMessage", "trans.cancelled".into()),
                ("authMode", "A".into()),
            ]),
        }
        if let Some(id) = &self.future_pay_id {
            fields.push(("futurePayId", id.clone()));
            // The plan token's own callback-only field, which WorldPay returns only here.
            fields.push((NEW_AGREEMENT_FIELD, "1".into()));
        }
        if let Some(password) = &self.callback_password {
            fields.push(("callbackPW", password.clone()));
        }
        fields.into_iter().map(|(n, v)| (n.to_owned(), v)).collect()
    }
}

/// `amountString` carries the currency symbol as an HTML entity, e.g. `&#163;` for GBP.
fn currency_entity(currency: &str) -> String {
    match currency {
        "GBP" => "&#163;".into(),
        "EUR" => "&#8364;".into(),
        "USD" => "$".into(),
        other => format!("{other} "),
    }
}

/// Encodes fields as a form body in `charset`. Characters the charset cannot represent
/// become numeric character references, as browsers do.
pub fn encode_form(fields: &[(String, String)], charset: &'static Encoding) -> Vec<u8> {
    let encode = |text: &str| -> String {
        let (bytes, _, _) = charset.encode(text);
        percent_encode(&bytes, FORM).to_string().replace(' ', "+")
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use selectpay_domain::callback::parse_form;

    #[test]
    fn round_trips_through_the_parser_in_each_charset() {
        let fields = vec![
            ("name".to_owned(), "Zoë Müller".to_owned()),
            ("desc".to_owned(), "€5 & more".to_owned()),
        ];
        for (charset, label) in [
            (encoding_rs::WINDOWS_1252, "windows-1252"),
            (encoding_rs::UTF_8, "UTF-8"),
        ] {
            let body = encode_form(&fields, charset);
            let form = parse_form(
                &body,
                Some(&format!(
                    "application/x-www-form-urlencoded; charset={label}"
                )),
            )
            .unwrap();
            assert_eq!(form.get("name"), Some("Zoë Müller"));
            assert_eq!(form.get("desc"), Some("€5 & more"));
        }
    }
}
