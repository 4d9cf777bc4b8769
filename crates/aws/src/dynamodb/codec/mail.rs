//! A mail, and its pointer in the cart's partition.

use selectpay_domain::email::EmailAddress;
use selectpay_domain::ids::CartId;
use selectpay_domain::mail::{Mail, MailKind, StoredMail};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::mail_queue::{MailClaim, QueuedMail};
use selectpay_domain::store::StoreError;

use super::Fields;
use super::{insert_optional, n, s, time};
use crate::dynamodb::keys::*;

/// A new, unsent mail: in the sparse `pending-mail` index until marked sent, and in the
/// `mail-queue` index, due as soon as it is written (or, under `lease`, once the lease
/// expires), until sent or parked.
pub fn mail_item(mail: &Mail, lease: Option<&MailClaim>) -> Result<Item, StoreError> {
    let mut item = Key::mail(&mail.id).item();
    item.extend([
        (attr::MAIL_ID.to_owned(), s(mail.id.as_str())),
        (attr::KIND.to_owned(), s(mail.kind.as_str())),
        (attr::RECIPIENT.to_owned(), s(mail.to.as_str())),
        (attr::SUBJECT.to_owned(), s(&mail.subject)),
        (attr::TEXT.to_owned(), s(&mail.text)),
        (attr::HTML.to_owned(), s(&mail.html)),
        (attr::CREATED_AT.to_owned(), time(mail.created_at)?),
        (attr::PENDING_PK.to_owned(), s(PENDING)),
        (attr::QUEUE_PK.to_owned(), s(QUEUE)),
        (attr::NEXT_ATTEMPT_AT.to_owned(), time(mail.created_at)?),
    ]);
    insert_optional(
        &mut item,
        attr::CART_ID,
        mail.cart_id.as_ref().map(CartId::as_str),
    );
    if let Some(lease) = lease {
        // What claim_mail would have written: one attempt, leased, next due when it ends.
        item.extend([
            (attr::ATTEMPTS.to_owned(), n(1)),
            (attr::CLAIMED_BY.to_owned(), s(&lease.by)),
            (attr::CLAIMED_UNTIL.to_owned(), time(lease.until)?),
            (attr::NEXT_ATTEMPT_AT.to_owned(), time(lease.until)?),
        ]);
    }
    Ok(item)
}

pub fn pointer_item(cart_id: &CartId, mail_id: &MailId) -> Item {
    let mut item = Key::mail_pointer(cart_id, mail_id).item();
    item.insert(attr::MAIL_ID.to_owned(), s(mail_id.as_str()));
    item
}

pub fn stored_mail(item: &Item) -> Result<StoredMail, StoreError> {
    let fields = Fields(item);
    let kind = fields.text(attr::KIND)?;
    let recipient = fields.text(attr::RECIPIENT)?;
    Ok(StoredMail {
        mail: Mail {
            id: mail_id(item)?,
            kind: MailKind::parse(kind).ok_or_else(|| fields.corrupt(attr::KIND, kind))?,
            cart_id: fields
                .optional(attr::CART_ID)
                .map(|_| fields.cart_id(attr::CART_ID))
                .transpose()?,
            to: EmailAddress::parse(recipient).map_err(|e| fields.corrupt(attr::RECIPIENT, e))?,
            subject: fields.owned(attr::SUBJECT)?,
            text: fields.owned(attr::TEXT)?,
            html: fields.owned(attr::HTML)?,
            created_at: fields.time(attr::CREATED_AT)?,
        },
        sent_at: fields.optional_time(attr::SENT_AT)?,
    })
}

/// An unsent mail with its place in the queue; `None` for a mail already sent, which has
/// left the queue. Before its first claim a mail has no attempts counted.
pub fn queued_mail(item: &Item) -> Result<Option<QueuedMail>, StoreError> {
    let fields = Fields(item);
    let StoredMail { mail, sent_at } = stored_mail(item)?;
    if sent_at.is_some() {
        return Ok(None);
    }
    Ok(Some(QueuedMail {
        attempts: match fields.optional(attr::ATTEMPTS) {
            Some(_) => fields.number(attr::ATTEMPTS)?,
            None => 0,
        },
        next_attempt_at: fields
            .optional_time(attr::NEXT_ATTEMPT_AT)?
            .unwrap_or(mail.created_at),
        claimed_until: fields.optional_time(attr::CLAIMED_UNTIL)?,
        last_error: fields.optional_owned(attr::LAST_ERROR)?,
        failed_at: fields.optional_time(attr::FAILED_AT)?,
        mail,
    }))
}

/// The id of a mail or of the mail a pointer points to.
pub fn mail_id(item: &Item) -> Result<MailId, StoreError> {
    Fields(item).owned(attr::MAIL_ID).map(MailId::from_stored)
}
