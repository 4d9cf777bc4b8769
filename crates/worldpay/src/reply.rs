//! Reading iadmin's plain-text answer, and describing what is not one without leaking.

use selectpay_domain::ports::{AdminError, AdminReply};

/// Longest message kept from a `Y,`/`E,` answer; WorldPay's are a few words.
const MAX_MESSAGE_CHARS: usize = 200;
/// How much of an unrecognised body an error shows.
const MAX_EXCERPT_CHARS: usize = 60;

/// iadmin's `E,` texts for an agreement that is already over (cancelled, or no longer
/// active): nothing is left to cancel, so a cancellation is done. Matched exactly, ignoring
/// case and surrounding space; any other refusal stays a refusal, which the sweep retries
/// and reports after repeated failures.
pub const ALREADY_ENDED: &[&str] = &["Agreement already cancelled", "Agreement is not active"];

/// `Y,<message>` → done, `E,<message>` → refused (done when it is [`ALREADY_ENDED`]),
/// whatever the HTTP status; anything else is an error that shows the status and a short,
/// cleaned excerpt of the body.
pub(crate) fn parse(status: u16, body: &[u8], redact: &Redactor) -> Result<AdminReply, AdminError> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    // One line is the whole answer; anything after it is not WorldPay's to say.
    let first_line = text.lines().next().unwrap_or_default().trim();
    if let Some(message) = first_line.strip_prefix("Y,") {
        return Ok(AdminReply::Done(clean(message, MAX_MESSAGE_CHARS, redact)));
    }
    if let Some(message) = first_line.strip_prefix("E,") {
        let message = clean(message, MAX_MESSAGE_CHARS, redact);
        return Ok(if already_ended(&message) {
            AdminReply::Done(message)
        } else {
            AdminReply::Refused(message)
        });
    }
    if text.is_empty() {
        return Err(AdminError(format!("empty reply (HTTP {status})")));
    }
    Err(AdminError(format!(
        "unrecognised reply (HTTP {status}): {:?}",
        clean(text, MAX_EXCERPT_CHARS, redact)
    )))
}

fn already_ended(message: &str) -> bool {
    ALREADY_ENDED
        .iter()
        .any(|known| known.eq_ignore_ascii_case(message.trim()))
}

/// Redacts the password (and its form-encoded spelling) from text that came back from the
/// network or out of an error, in case anything echoes the request.
pub(crate) struct Redactor {
    needles: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(password: &str) -> Self {
        let mut needles = vec![password.to_owned()];
        let encoded: String = form_urlencoded::byte_serialize(password.as_bytes()).collect();
        if encoded != password {
            needles.push(encoded);
        }
        Self { needles }
    }

    pub(crate) fn apply(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for needle in &self.needles {
            if !needle.is_empty() {
                text = text.replace(needle.as_str(), "***");
            }
        }
        text
    }
}

/// Trimmed, control characters as spaces, redacted, at most `max` characters (with `…`).
pub(crate) fn clean(text: &str, max: usize, redact: &Redactor) -> String {
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Redact before cutting, so a cut cannot split the password and let a prefix through.
    let text = redact.apply(&text);
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(status: u16, body: &str) -> Result<AdminReply, AdminError> {
        parse(status, body.as_bytes(), &Redactor::new("s3cret&pw"))
    }

    #[test]
    fn reads_y_and_e_whatever_the_status() {
        assert_eq!(
            parse_text(200, "Y,Agreement cancelled").unwrap(),
            AdminReply::Done("Agreement cancelled".into())
        );
        assert_eq!(
            parse_text(200, "\r\n  E,Problem cancelling agreement\r\n").unwrap(),
            AdminReply::Refused("Problem cancelling agreement".into())
        );
        assert_eq!(
            parse_text(500, "E,Agreement cancelled? No").unwrap(),
            AdminReply::Refused("Agreement cancelled? No".into())
        );
        assert_eq!(
            parse_text(200, "Y,").unwrap(),
            AdminReply::Done(String::new())
        );
        assert_eq!(
            parse_text(200, "Y,Agreement cancelled\n<p>trailer</p>").unwrap(),
            AdminReply::Done("Agreement cancelled".into())
        );
    }

    #[test]
    fn each_already_ended_text_is_done_exactly_as_listed() {
        for text in ALREADY_ENDED {
            assert_eq!(
                parse_text(200, &format!("E,{text}")).unwrap(),
                AdminReply::Done((*text).to_owned()),
                "{text}"
            );
            assert_eq!(
                parse_text(200, &format!("E,{}", text.to_uppercase())).unwrap(),
                AdminReply::Done(text.to_uppercase()),
                "{text}"
            );
            // Only the listed text, not one that merely contains it.
            let longer = format!("{text}? Problem cancelling agreement");
            assert_eq!(
                parse_text(200, &format!("E,{longer}")).unwrap(),
                AdminReply::Refused(longer)
            );
        }
    }

    #[test]
    fn anything_else_is_an_error_with_a_short_excerpt() {
        for body in [
            "",
            "   \n",
            "y,lowercase",
            "Y",
            "N,No",
            "OK",
            "<html>Y,</html>",
        ] {
            assert!(parse_text(200, body).is_err(), "{body:?}");
        }
        let page = format!("<html><body>{}</body></html>", "x".repeat(10_000));
        let error = parse_text(500, &page).unwrap_err().to_string();
        assert!(error.contains("HTTP 500"), "{error}");
        assert!(error.len() < 200, "{error}");
        assert_eq!(
            parse_text(200, "").unwrap_err().0,
            "empty reply (HTTP 200)".to_owned()
        );
    }

    #[test]
    fn never_repeats_the_password() {
        let echoed = "instId=1&authPW=s3cret%26pw&futurePayId=9 (s3cret&pw)";
        let error = parse_text(400, echoed).unwrap_err().to_string();
        assert!(!error.contains("s3cret"), "{error}");
        let AdminReply::Refused(message) = parse_text(200, "E,bad password s3cret&pw").unwrap()
        else {
            panic!("not refused");
        };
        assert_eq!(message, "bad password ***");
    }

    #[test]
    fn cuts_on_characters_not_bytes() {
        let redact = Redactor::new("pw");
        assert_eq!(clean("ééééé", 3, &redact), "ééé…");
        assert_eq!(clean("a\u{0}b\tc", 10, &redact), "a b c");
    }
}
