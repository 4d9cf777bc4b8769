//! The [`Mailer`] on SES v2: a simple message with a text and an HTML body, all UTF-8, so
//! SES does the MIME encoding of shopper names in subjects and bodies.
//!
//! [`Mailer`]: selectpay_domain::ports::Mailer

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::Mail;
use selectpay_domain::ports::{MailError, Mailer};

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
        .map_err(|e| MailError(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .build();
        self.client
            .send_email()
            .from_email_address(self.sender.as_str())
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| MailError(format!("{}: {}", mail.id, DisplayErrorContext(e))))?;
        Ok(())
    }
}
