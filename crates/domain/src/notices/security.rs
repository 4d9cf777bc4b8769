//! The operator's alert about deliveries refused as not from the gateway.

use super::{Alert, alert};
use crate::callback::ForbiddenReason;
use crate::decision::Context;
use crate::mail::{Mail, MailKind};
use crate::mail_id::{MailId, utc_hour};
use crate::render::RenderError;

/// One alert per hour at most, however many forged deliveries arrive: its id names the hour.
pub fn security_alert(ctx: &Context, reason: ForbiddenReason) -> Result<Mail, RenderError> {
    alert(
        ctx,
        Alert {
            id: MailId::security_alert(ctx.now),
            kind: MailKind::OperatorAlert,
            cart_id: None,
            title: "selectpay: callbacks refused as not from WorldPay",
            summary: "Deliveries to the callback URL were refused because the callback password \
                 was wrong or blank, or the installation was not ours. This alert is sent at \
                 most once an hour; the deliveries log has each attempt.",
            facts: vec![
                ("First reason this hour", reason.as_str().to_owned()),
                ("Hour (UTC)", utc_hour(ctx.now)),
            ],
        },
    )
}
