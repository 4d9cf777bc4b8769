//! The [`Mailer`] on SES v2: a simple message with a text and an HTML body, all UTF-8, so
//! SES does the MIME encoding of shopper names in subjects and bodies.
//!
//! Each send is one try (see [`ses_client`]) and carries the mail's id, as the
//! `X-Selectpay-Mail-Id` header and as the `mail-id` message tag (which SES's event
//! publishing reports), so a duplicate, should one ever go out, can be traced to its mail.
//!
//! [`Mailer`]: selectpay_domain::ports::Mailer
//! [`ses_client`]: crate::ses_client

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{DisplayErrorContext, SdkError};
use aws_sdk_sesv2::types::{
    Body, Content, Destination, EmailContent, Message, MessageHeader, MessageTag,
};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::Mail;
use selectpay_domain::ports::{MailError, Mailer};

pub const MAIL_ID_HEADER: &str = "X-Selectpay-Mail-Id";
pub const MAIL_ID_TAG: &str = "mail-id";
/// SES's limit on a tag value.
const TAG_VALUE_LEN: usize = 256;

#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    sender: EmailAddress,
}

impl SesMailer {
    /// `sender` must be an identity SES has verified.
    pub fn new(client: Client, sender: EmailAddress) -> Self {
        Self { client, sender }
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::NotSent(e.to_string()))
}

/// Tag values allow letters, digits, `_` and `-` only.
fn tag_value(mail_id: &str) -> String {
    mail_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(TAG_VALUE_LEN)
        .collect()
}

/// Only an error SES itself answered, or one raised before anything was sent, proves the
/// mail did not go; a timeout or a lost connection may come after SES took it.
fn classify<E, R>(mail_id: &str, error: SdkError<E, R>) -> MailError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let definitely_not_sent = matches!(
        error,
        SdkError::ConstructionFailure(_) | SdkError::ServiceError(_)
    );
    let message = format!("{mail_id}: {}", DisplayErrorContext(error));
    if definitely_not_sent {
        MailError::NotSent(message)
    } else {
        MailError::Unknown(message)
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let header = MessageHeader::builder()
            .name(MAIL_ID_HEADER)
            .value(mail.id.as_str())
            .build()
            .map_err(|e| MailError::NotSent(e.to_string()))?;
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .headers(header)
            .build();
        let tag = MessageTag::builder()
            .name(MAIL_ID_TAG)
            .value(tag_value(mail.id.as_str()))
            .build()
            .map_err(|e| MailError::NotSent(e.to_string()))?;
        self.client
            .send_email()
            .from_email_address(self.sender.as_str())
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag)
            .send()
            .await
            .map_err(|e| classify(mail.id.as_str(), e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::tag_value;

    #[test]
    fn tag_values_keep_only_what_ses_allows() {
        assert_eq!(tag_value("receipt#cart-1/x"), "receipt_cart-1_x");
        assert_eq!(tag_value(&"a".repeat(300)).len(), 256);
    }
}
