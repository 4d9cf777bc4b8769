//! WorldPay's "Callback Failure Alert from WorldPay" mail, as an operator saves it (`.eml`).
//!
//! WorldPay sends it when a callback did not complete (selectpay answers 503 on purpose when
//! its store is down, so that this mail keeps the data). The mail names the Transaction ID,
//! Cart ID, Installation ID and the Error reported; with "Attach callback data to failure
//! email?" enabled it also carries the callback's form data, attached or in the text.

use mailparse::{DispositionType, MailParseError, ParsedMail};
use thiserror::Error;

use super::form_file::{CallbackData, FormFileError, from_lines, from_urlencoded};
use crate::callback::{Form, parse_form};

/// A saved alert is a few kilobytes; a mailbox export is not an alert.
pub const MAX_ALERT_BYTES: usize = 1024 * 1024;

/// The labels of the alert's summary lines, e.g. `Cart ID: 5f0c…`.
const TRANSACTION_ID: &str = "Transaction ID";
const CART_ID: &str = "Cart ID";
const INSTALLATION_ID: &str = "Installation ID";
const ERROR_REPORTED: &str = "Error reported";

/// Shown to the operator, so bounded.
const MAX_SUMMARY_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FailureAlertError {
    #[error("the mail is larger than {MAX_ALERT_BYTES} bytes")]
    TooLarge,
    #[error("not a readable mail: {0}")]
    NotAMail(String),
    #[error("not a Callback Failure Alert: no Cart ID, Transaction ID or callback data found")]
    NotAFailureAlert,
    #[error("the attached callback data: {0}")]
    Data(#[from] FormFileError),
}

impl From<MailParseError> for FailureAlertError {
    fn from(error: MailParseError) -> Self {
        FailureAlertError::NotAMail(error.to_string())
    }
}

/// What the alert says. A cancelled purchase has no Transaction ID.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FailureAlert {
    pub transaction_id: Option<String>,
    pub cart_id: Option<String>,
    pub installation_id: Option<String>,
    pub error_reported: Option<String>,
    /// `None` when the installation does not attach callback data to failure mails.
    pub callback_data: Option<CallbackData>,
}

impl FailureAlert {
    /// The summary fields that name something else than the attached data does: the data
    /// is what gets replayed, so a mismatch means the wrong file or a tampered one.
    pub fn disagreements(&self) -> Vec<&'static str> {
        let Some(form) = self.callback_data.as_ref().and_then(parsed) else {
            return Vec::new();
        };
        [
            (TRANSACTION_ID, &self.transaction_id, "transId"),
            (CART_ID, &self.cart_id, "cartId"),
            (INSTALLATION_ID, &self.installation_id, "instId"),
        ]
        .into_iter()
        .filter(|(_, said, field)| {
            said.as_deref()
                .is_some_and(|said| form.non_blank(field).is_some_and(|data| data != said))
        })
        .map(|(label, _, _)| label)
        .collect()
    }
}

/// Reads a saved alert: the summary from its text, the callback data from an attachment
/// that holds a callback or else from `name=value` lines in the text.
pub fn parse_failure_alert(eml: &[u8]) -> Result<FailureAlert, FailureAlertError> {
    if eml.len() > MAX_ALERT_BYTES {
        return Err(FailureAlertError::TooLarge);
    }
    let mail = mailparse::parse_mail(eml)?;
    let leaves: Vec<&ParsedMail> = mail.parts().filter(|p| p.subparts.is_empty()).collect();
    let (attachments, inline): (Vec<&ParsedMail>, Vec<&ParsedMail>) =
        leaves.into_iter().partition(|part| is_attachment(part));
    let text = match inline.iter().find(|p| p.ctype.mimetype == "text/plain") {
        Some(part) => part.get_body()?,
        None => String::new(),
    };
    let (attached, attachment_error) = attached_data(&attachments)?;
    let callback_data = match (attached, attachment_error) {
        (Some(data), _) => Some(data),
        (None, error) => match (data_in_text(&text)?, error) {
            (Some(data), _) => Some(data),
            (None, Some(error)) => return Err(error.into()),
            (None, None) => None,
        },
    };
    let alert = FailureAlert {
        transaction_id: summary(&text, TRANSACTION_ID),
        cart_id: summary(&text, CART_ID),
        installation_id: summary(&text, INSTALLATION_ID),
        error_reported: summary(&text, ERROR_REPORTED),
        callback_data,
    };
    if alert.cart_id.is_none() && alert.transaction_id.is_none() && alert.callback_data.is_none() {
        return Err(FailureAlertError::NotAFailureAlert);
    }
    Ok(alert)
}

fn is_attachment(part: &ParsedMail) -> bool {
    let disposition = part.get_content_disposition();
    disposition.disposition == DispositionType::Attachment
        || disposition.params.contains_key("filename")
        || part.ctype.params.contains_key("name")
}

/// The first attachment that reads as a callback. Other attachments (a logo, a signature)
/// are passed over; the first reading error is kept to explain a mail with no data at all.
fn attached_data(
    attachments: &[&ParsedMail],
) -> Result<(Option<CallbackData>, Option<FormFileError>), MailParseError> {
    let mut first_error = None;
    for part in attachments {
        let readable = matches!(
            part.ctype.mimetype.as_str(),
            "application/x-www-form-urlencoded" | "application/octet-stream"
        ) || part.ctype.mimetype.starts_with("text/");
        if !readable {
            continue;
        }
        let raw = part.get_body_raw()?;
        let data = if raw.trim_ascii().contains(&b'\n') {
            from_lines(&part.get_body()?)
        } else {
            from_urlencoded(&raw)
        };
        match data {
            Ok(data) if is_callback(&data) => return Ok((Some(data), None)),
            Ok(_) => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Ok((None, first_error))
}

/// Callback data written into the mail's text: one urlencoded line, or a block of
/// `name=value` lines. Summary lines (`Cart ID: …`) and prose are not `name=value`. Lines
/// are trimmed: mail clients indent and pad quoted text.
fn data_in_text(text: &str) -> Result<Option<CallbackData>, FailureAlertError> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| is_field_line(line))
        .collect();
    let data = match lines.as_slice() {
        [] => return Ok(None),
        [line] => from_urlencoded(line.as_bytes())?,
        _ => from_lines(&lines.join("\n"))?,
    };
    Ok(is_callback(&data).then_some(data))
}

fn is_field_line(line: &str) -> bool {
    line.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

fn parsed(data: &CallbackData) -> Option<Form> {
    parse_form(&data.body, data.content_type).ok()
}

/// Every callback, payment or FuturePay, names the installation or a status.
fn is_callback(data: &CallbackData) -> bool {
    parsed(data).is_some_and(|form| {
        [
            "transStatus",
            "instId",
            "installation",
            "futurePayStatusChange",
        ]
        .iter()
        .any(|name| form.get(name).is_some())
    })
}

/// The value of the first `Label: value` line, case-insensitive; blank is absent.
fn summary(text: &str, label: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let head = line.get(..label.len())?;
        let value = line[label.len()..].trim_start().strip_prefix(':')?.trim();
        (head.eq_ignore_ascii_case(label) && !value.is_empty())
            .then(|| value.chars().take(MAX_SUMMARY_CHARS).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_summary_lines_in_any_case_and_spacing() {
        let text = "Hello\r\n  transaction id :  123\r\nCart ID:\r\nError Reported: HTTP 503\r\n";
        assert_eq!(summary(text, TRANSACTION_ID).as_deref(), Some("123"));
        assert_eq!(summary(text, CART_ID), None, "blank is absent");
        assert_eq!(summary(text, ERROR_REPORTED).as_deref(), Some("HTTP 503"));
        assert_eq!(summary("Cart IDs: x", CART_ID), None);
    }

    #[test]
    fn prose_and_summaries_are_not_field_lines() {
        assert!(is_field_line("transStatus=Y"));
        assert!(is_field_line("M_var1=fred"));
        assert!(!is_field_line(
            "Error reported: GET http://shop.example/cb?a=b failed"
        ));
        assert!(!is_field_line("=x"));
        assert!(!is_field_line("See the FAQ."));
    }

    #[test]
    fn a_mail_that_is_no_alert_is_refused() {
        let mail = b"Subject: Lunch\r\nContent-Type: text/plain\r\n\r\nSee you at noon.\r\n";
        assert_eq!(
            parse_failure_alert(mail),
            Err(FailureAlertError::NotAFailureAlert)
        );
        let big = vec![b'a'; MAX_ALERT_BYTES + 1];
        assert_eq!(parse_failure_alert(&big), Err(FailureAlertError::TooLarge));
    }

    #[test]
    fn a_one_line_body_in_the_text_is_the_callback() {
        let mail = b"Subject: Callback Failure Alert from WorldPay\r\n\r\n\
            Cart ID: c1\r\n\r\ninstId=38290&cartId=c1&transStatus=C\r\n";
        let alert = parse_failure_alert(mail).unwrap();
        let data = alert.callback_data.unwrap();
        assert_eq!(data.body, b"instId=38290&cartId=c1&transStatus=C");
    }
}
