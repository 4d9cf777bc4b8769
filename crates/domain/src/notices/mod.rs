//! Every mail selectpay writes, composed in one place: what each says, to whom, and under
//! which id. A mail's id names the event it reports, so the outbox refuses a second copy.
//!
//! Facts in alerts must not include card data or full addresses; bodies come from the
//! templates (`mail_*.txt` and `mail_*.html`, the latter auto-escaped).

mod agreement;
mod parked;
mod payment;
mod query;
mod receipt;
mod scheduled_payment;
mod security;
mod stale_carts;
mod sweep;
mod unconfirmed_claim;

pub(crate) use agreement::{Unexpected, agreement_declined, agreement_ended, unexpected};
pub use parked::parked_mail_alert;
pub(crate) use payment::{Unfulfilled, conflicting_repeat, order_notice, unfulfilled};
pub use query::query_conflict;
pub(crate) use receipt::{Receipted, receipt};
pub(crate) use scheduled_payment::{
    cartless_unknown, other_mode, payment_held, unknown_agreement_payment,
};
pub use security::security_alert;
pub use stale_carts::stale_carts_alert;
pub use sweep::{SweepNotice, cancel_failure_alert, raced_payment_alert, sweep_mails};
pub use unconfirmed_claim::unconfirmed_claim_alert;

use serde::Serialize;

use crate::decision::Context;
use crate::email::EmailAddress;
use crate::ids::CartId;
use crate::mail::{Mail, MailKind, subject_line};
use crate::mail_id::MailId;
use crate::render::RenderError;

/// Who a mail goes to and what it is about; the body comes from a template.
struct Envelope<'a> {
    id: MailId,
    kind: MailKind,
    to: EmailAddress,
    cart_id: Option<&'a CartId>,
    subject: String,
}

/// A short alert to the merchant or the operator (by its kind), its title as its subject.
struct Alert<'a> {
    id: MailId,
    kind: MailKind,
    cart_id: Option<&'a CartId>,
    title: &'a str,
    summary: &'a str,
    facts: Vec<(&'a str, String)>,
}

fn compose(
    ctx: &Context,
    envelope: Envelope,
    template: &str,
    view: impl Serialize,
) -> Result<Mail, RenderError> {
    Ok(Mail {
        id: envelope.id,
        kind: envelope.kind,
        cart_id: envelope.cart_id.cloned(),
        to: envelope.to,
        subject: subject_line(&envelope.subject),
        text: ctx.templates.render(&format!("{template}.txt"), &view)?,
        html: ctx.templates.render(&format!("{template}.html"), &view)?,
        created_at: ctx.now,
    })
}

fn alert(ctx: &Context, alert: Alert) -> Result<Mail, RenderError> {
    let to = match alert.kind {
        MailKind::OperatorAlert => ctx.settings.operator_email.clone(),
        _ => ctx.settings.merchant_email.clone(),
    };
    let envelope = Envelope {
        id: alert.id,
        kind: alert.kind,
        to,
        cart_id: alert.cart_id,
        subject: alert.title.to_owned(),
    };
    notice(ctx, envelope, alert.summary, alert.facts)
}

/// A short message with a summary and facts, its subject as its title.
fn notice(
    ctx: &Context,
    envelope: Envelope,
    summary: &str,
    facts: Vec<(&str, String)>,
) -> Result<Mail, RenderError> {
    #[derive(Serialize)]
    struct NoticeView<'a> {
        title: &'a str,
        summary: &'a str,
        facts: Vec<(&'a str, String)>,
    }
    let title = envelope.subject.clone();
    compose(
        ctx,
        envelope,
        "mail_alert",
        NoticeView {
            title: &title,
            summary,
            facts,
        },
    )
}
