//! `selectpay replay`'s inputs read from files as an operator saves them: WorldPay's
//! Callback Failure Alert mails (fixtures in the format of the alert the FAQ describes).

use selectpay_domain::callback::hold::{HoldRule, HoldRules};
use selectpay_domain::callback::risk::{AvsCheck, AvsResult, RiskSignals, WafMessage};
use selectpay_domain::callback::{Form, parse_form};
use selectpay_domain::replay::{CallbackData, FailureAlert, parse_failure_alert};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn form(data: &CallbackData) -> Form {
    parse_form(&data.body, data.content_type).unwrap()
}

/// The FAQ's own example of an authorised callback's raw body.
const FAQ_AUTHORISED_BODY: &str = "instId=38290&email=demo%40uk.worldpay.com&transTime=999178402000\
&country=GB&rawAuthCode=A&amount=14.99&installation=38290&tel=0123+456789012\
&address=Test+Road%0D%0ATest+Town%0D%0ATest+City&MC_log=2379\
&rawAuthMessage=authorised+(testMode+always+Yes)&authAmount=23.11\
&amountString=%26%23163%3B14.99&cardType=Visa&AVS=0001&cost=14.99&currency=GBP&testMode=100\
&authAmountString=EUR23.11&fax=01234+5678901&lang=en&transStatus=Y&compName=Company+Name\
&authCurrency=EUR&postcode=AB1+2CD&authCost=23.11&desc=Test+Item&countryMatch=S\
&cartId=Test+Item&transId=12227758&M_var1=fred&authMode=E&countryString=United+Kingdom\
&name=WorldPay+Test";

#[test]
fn an_alert_with_the_data_attached_gives_back_the_body_byte_for_byte() {
    let alert = parse_failure_alert(&fixture("failure-alert-attached.eml")).unwrap();
    assert_eq!(alert.transaction_id.as_deref(), Some("12227758"));
    assert_eq!(alert.cart_id.as_deref(), Some("Test Item"));
    assert_eq!(alert.installation_id.as_deref(), Some("38290"));
    let error = alert.error_reported.as_deref().unwrap();
    assert!(
        error.ends_with("HTTP status 503 (Service Unavailable)"),
        "{error}"
    );
    let data = alert.callback_data.as_ref().unwrap();
    assert_eq!(data.body, FAQ_AUTHORISED_BODY.as_bytes());
    assert_eq!(data.content_type, None, "read like the original post");
    let fields = form(data);
    assert_eq!(
        fields.get("address"),
        Some("Test Road\r\nTest Town\r\nTest City")
    );
    assert_eq!(fields.get("authMode"), Some("E"));
    assert!(alert.disagreements().is_empty());
}

#[test]
fn an_alert_with_the_data_in_its_text_gives_back_the_same_fields() {
    let alert = parse_failure_alert(&fixture("failure-alert-inline.eml")).unwrap();
    assert_eq!(alert.cart_id.as_deref(), Some("Mug 2"));
    let error = alert.error_reported.as_deref().unwrap();
    assert!(
        error.ends_with("(timed out)"),
        "quoted-printable soft breaks undone: {error}"
    );
    let fields = form(alert.callback_data.as_ref().unwrap());
    assert_eq!(
        fields.get("name"),
        Some("Zoë Müller"),
        "ISO-8859-1 text kept"
    );
    assert_eq!(fields.get("desc"), Some("Mug & saucer"));
    assert_eq!(fields.get("cartId"), Some("Mug 2"));
    assert_eq!(fields.get("transId"), Some("12227901"));
    assert_eq!(
        fields.fields().count(),
        15,
        "prose and summary lines are not fields"
    );
    assert!(alert.disagreements().is_empty());

    let signals = RiskSignals::from_form(&fields);
    let avs = signals.avs.unwrap();
    assert_eq!(avs.result(AvsCheck::Postcode), AvsResult::NotMatched);
    assert_eq!(
        HoldRules::default_rules().matches(&signals),
        [HoldRule::Waf(WafMessage::Caution)]
    );
}

#[test]
fn line_endings_do_not_matter() {
    let crlf = fixture("failure-alert-inline.eml");
    let lf: Vec<u8> = String::from_utf8(crlf.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    assert_eq!(
        parse_failure_alert(&lf).unwrap(),
        parse_failure_alert(&crlf).unwrap()
    );
}

#[test]
fn an_alert_without_attached_data_still_says_which_cart() {
    let alert = parse_failure_alert(&fixture("failure-alert-no-data.eml")).unwrap();
    assert_eq!(
        alert,
        FailureAlert {
            transaction_id: None,
            cart_id: Some("Test Item".into()),
            installation_id: Some("38290".into()),
            error_reported: Some(
                "Callback to https://shop.example/callback failed - the server returned \
                 HTTP status 500 (Internal Server Error)"
                    .into()
            ),
            callback_data: None,
        }
    );
}

#[test]
fn a_summary_naming_another_cart_than_the_data_is_flagged() {
    let edited = String::from_utf8(fixture("failure-alert-attached.eml"))
        .unwrap()
        .replace("Cart ID: Test Item", "Cart ID: Other Item")
        .replace("Transaction ID: 12227758", "Transaction ID: 99");
    let alert = parse_failure_alert(edited.as_bytes()).unwrap();
    assert_eq!(alert.disagreements(), ["Transaction ID", "Cart ID"]);
}

#[test]
fn a_signature_attachment_does_not_hide_the_data_in_the_text() {
    let inline = String::from_utf8(fixture("failure-alert-inline.eml")).unwrap();
    let (headers, body) = inline.split_once("\r\n\r\n").unwrap();
    let headers = headers.replace(
        "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable",
        "Content-Type: multipart/mixed; boundary=\"b\"",
    );
    let mail = format!(
        "{headers}\r\n\r\n--b\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n{body}\r\n--b\r\n\
         Content-Type: text/plain; name=\"signature.txt\"\r\n\
         Content-Disposition: attachment; filename=\"signature.txt\"\r\n\r\n\
         Regards,\r\nThe shop\r\n--b--\r\n"
    );
    let alert = parse_failure_alert(mail.as_bytes()).unwrap();
    let fields = form(alert.callback_data.as_ref().unwrap());
    assert_eq!(fields.get("transId"), Some("12227901"));
}
