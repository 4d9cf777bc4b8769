//! Plays WorldPay: builds payment responses with the gateway's field set and encodes them
//! the way the gateway does, in a chosen charset. Used by `selectpay simulate` and tests.

use std::borrow::Cow;

use encoding_rs::Encoding;

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

/// Encodes fields as a form body in `charset` (`form_urlencoded` with the charset as its
/// encoding override, as a browser posting a page in that charset does). Characters the
/// charset cannot represent become numeric character references, as browsers do.
pub fn encode_form(fields: &[(String, String)], charset: &'static Encoding) -> Vec<u8> {
    let in_charset = encoder(charset);
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.encoding_override(Some(&in_charset));
    form.extend_pairs(fields);
    form.finish().into_bytes()
}

fn encoder(charset: &'static Encoding) -> impl for<'a> Fn(&'a str) -> Cow<'a, [u8]> {
    move |text| charset.encode(text).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use selectpay_domain::callback::parse_form;

    #[test]
    fn encodes_like_a_latin1_browser() {
        let fields = vec![("name".to_owned(), "Zoë Müller & co".to_owned())];
        assert_eq!(
            encode_form(&fields, encoding_rs::WINDOWS_1252),
            b"name=Zo%EB+M%FCller+%26+co"
        );
        let euro = vec![("desc".to_owned(), "€ ₿".to_owned())];
        assert_eq!(
            encode_form(&euro, encoding_rs::WINDOWS_1252),
            b"desc=%80+%26%238383%3B"
        );
    }

    #[test]
    fn round_trips_through_the_parser_in_each_charset() {
        let fields = vec![
            ("name".to_owned(), "Zoë Müller".to_owned()),
            ("desc".to_owned(), "€5 & more".to_owned()),
        ];
        for (charset, label) in [
            (encoding_rs::WINDOWS_1252, "windows-1252"),
            (encoding_rs::UTF_8, "UTF-8"),
            (encoding_rs::WINDOWS_1252, "ISO-8859-1"),
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
