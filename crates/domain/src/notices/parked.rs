//! The operator's alert about mail that failed too often and is parked.

use super::{Alert, alert};
use crate::decision::Context;
use crate::mail::{Mail, MailKind};
use crate::mail_id::{MailId, utc_hour};
use crate::mail_queue::MAX_ATTEMPTS;
use crate::render::RenderError;

/// One alert per hour at most, however much mail is parked: its id names the hour, and it
/// says how many mails are parked now (`parked`).
pub fn parked_mail_alert(ctx: &Context, parked: usize) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::parked_mail_alert(ctx.now),
            kind: MailKind::OperatorAlert,
            cart_id: None,
            title: "selectpay: mail could not be sent",
            summary: &format!(
                "Mail failed {MAX_ATTEMPTS} times and is parked: it is no longer tried. \
                 `selectpay mail` lists it with its last error; `selectpay mail resend ID` \
                 puts one back in line. This alert is sent at most once an hour."
            ),
            facts: vec![
                ("Parked mails", parked.to_string()),
                ("Hour (UTC)", utc_hour(ctx.now)),
            ],
        },
    )
}
