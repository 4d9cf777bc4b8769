//! The local [`Mailer`]: each mail becomes an RFC 5322 `.eml` file in a folder, which any
//! mail client opens, instead of leaving the machine.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::{Mail, subject_line};
use selectpay_domain::ports::{MailError, Mailer};
use sha2::{Digest, Sha256};
use time::UtcOffset;
use time::macros::format_description;

const MAIL_ID: HeaderName = HeaderName::new_from_ascii_str("X-Selectpay-Mail-Id");
const KIND: HeaderName = HeaderName::new_from_ascii_str("X-Selectpay-Kind");

/// Enough of the mail id to recognise it in a listing; the digest keeps names distinct.
const READABLE_ID_LEN: usize = 64;

pub struct OutboxMailer {
    dir: PathBuf,
    sender: EmailAddress,
}

impl OutboxMailer {
    /// Mail goes into `dir` (created when the first mail is written), from `sender`.
    pub fn new(dir: impl Into<PathBuf>, sender: EmailAddress) -> Self {
        Self {
            dir: dir.into(),
            sender,
        }
    }

    fn message(&self, mail: &Mail) -> Result<Message, MailError> {
        // Quoted-printable rather than lettre's choice of base64 for non-ASCII text, so the
        // files stay readable to someone looking at the outbox folder.
        let part = |content_type, body: &str| {
            SinglePart::builder()
                .header(content_type)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(body.to_owned())
        };
        Message::builder()
            .from(mailbox(&self.sender)?)
            .to(mailbox(&mail.to)?)
            // Already one line when the domain built it; this mailer must not trust that.
            .subject(subject_line(&mail.subject))
            .date(mail.created_at.into())
            .raw_header(HeaderValue::new(MAIL_ID, mail.id.to_string()))
            .raw_header(HeaderValue::new(KIND, mail.kind.as_str().to_owned()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &mail.text))
                    .singlepart(part(ContentType::TEXT_HTML, &mail.html)),
            )
            .map_err(|e| MailError::NotSent(format!("mail {} cannot be built: {e}", mail.id)))
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let content = self.message(mail)?.formatted();
        let dir = self.dir.clone();
        let name = file_name(mail);
        tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &content))
            .await
            .map_err(|e| MailError::NotSent(format!("outbox task failed: {e}")))?
            .map_err(|e| MailError::NotSent(format!("outbox {}: {e}", self.dir.display())))
    }
}

fn mailbox(address: &EmailAddress) -> Result<Mailbox, MailError> {
    address
        .as_str()
        .parse()
        .map_err(|e| MailError::NotSent(format!("address {address}: {e}")))
}

/// `<created, UTC>-<kind>-<readable id>-<digest of id>.eml`: sorts by time, and the same
/// mail always gets the same name while two ids that sanitise alike still get two files.
fn file_name(mail: &Mail) -> String {
    let created = mail
        .created_at
        .to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        // Formatting a UTC time with plain numeric components cannot fail; keep a name anyway.
        .unwrap_or_else(|_| "undated".to_owned());
    let readable: String = mail
        .id
        .as_str()
        .chars()
        .take(READABLE_ID_LEN)
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    let digest = hex::encode(&Sha256::digest(mail.id.as_str().as_bytes())[..8]);
    format!("{created}-{}-{readable}-{digest}.eml", mail.kind.as_str())
}

/// Readers of the folder only ever see whole files: the mail is written under a temporary
/// name and renamed into place, replacing an earlier copy of the same mail.
fn write_atomically(dir: &Path, name: &str, content: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut file = tempfile::Builder::new()
        .prefix(".")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    file.write_all(content)?;
    file.as_file().sync_all()?;
    file.persist(dir.join(name)).map_err(|e| e.error)?;
    // Makes the rename itself durable: mail reported sent must survive a power cut.
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}
