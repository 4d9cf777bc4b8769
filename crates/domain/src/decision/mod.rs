//! The callback decision table: what a verified payment response does, given what the store
//! holds. Pure: the store carries out the result atomically, under the conditions it names.

mod agreement;

pub use crate::store::{CartChange, Condition, Reply, SavedOutcome, Snapshot, Writes};
pub use agreement::{cancel_failure_alert, suspension_mails};

use serde::Serialize;
use time::OffsetDateTime;

use crate::callback::{PaymentResponse, TransStatus};
use crate::cart::{CartStatus, Payment, PaymentStatus, ReviewReason};
use crate::email::EmailAddress;
use crate::ids::{CartId, TransId};
use crate::mail::{Mail, MailKind, subject_line};
use crate::outcome::Outcome;
use crate::render::{RenderError, Templates};
use crate::settings::Settings;
use crate::view::ResponseView;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub reply: Reply,
    pub writes: Writes,
}

/// Who a mail goes to and what it is about; the body comes from a template.
struct Envelope<'a> {
    id: String,
    kind: MailKind,
    to: EmailAddress,
    cart_id: Option<&'a CartId>,
    subject: String,
}

pub struct Context<'a> {
    pub settings: &'a Settings,
    pub templates: &'a Templates,
    pub now: OffsetDateTime,
}

impl Context<'_> {
    fn page(&self, template: &str, view: &ResponseView) -> Result<Reply, RenderError> {
        Ok(Reply {
            status: 200,
            page: self.templates.render(template, view)?,
        })
    }

    fn mail(
        &self,
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
            text: self.templates.render(&format!("{template}.txt"), &view)?,
            html: self.templates.render(&format!("{template}.html"), &view)?,
            created_at: self.now,
        })
    }

    /// A short alert; facts must not include card data or full addresses.
    pub fn alert(
        &self,
        id: String,
        kind: MailKind,
        cart_id: Option<&CartId>,
        title: &str,
        summary: &str,
        facts: Vec<(&str, String)>,
    ) -> Result<Mail, RenderError> {
        let to = match kind {
            MailKind::OperatorAlert => self.settings.operator_email.clone(),
            _ => self.settings.merchant_email.clone(),
        };
        self.notice(
            Envelope {
                id,
                kind,
                to,
                cart_id,
                subject: title.to_owned(),
            },
            summary,
            facts,
        )
    }

    /// A short message with a summary and facts, its subject as its title.
    fn notice(
        &self,
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
        self.mail(
            envelope,
            "mail_alert",
            NoticeView {
                title: &title,
                summary,
                facts,
            },
        )
    }
}

/// Decides what a verified payment response does, given a snapshot of the store.
pub fn decide(
    ctx: &Context,
    response: &PaymentResponse,
    snapshot: &Snapshot,
) -> Result<Decision, RenderError> {
    let view = ResponseView::new(response, &ctx.settings.public_base_url);
    let key = response.idempotency_key();
    if let Some(saved) = &snapshot.saved {
        return repeat(ctx, response, saved, &key);
    }
    let cart_condition = match &snapshot.cart {
        None => Condition::CartAbsent(response.cart_id.clone()),
        Some(cart) => Condition::CartIs {
            cart_id: response.cart_id.clone(),
            status: cart.status,
            amount: cart.amount,
            paid_by: cart.paid_by.clone(),
        },
    };
    let mut writes = Writes {
        conditions: vec![Condition::OutcomeAbsent(key.clone()), cart_condition],
        ..Writes::default()
    };
    if let Some(id) = &response.future_pay {
        writes.conditions.push(match &snapshot.agreement {
            None => Condition::AgreementAbsent(id.clone()),
            Some(existing) => Condition::AgreementAt {
                id: id.clone(),
                version: existing.version,
            },
        });
    }
    let (outcome, reply) = match (&response.status, &response.future_pay, &snapshot.agreement) {
        (TransStatus::Authorised(trans_id), Some(_), Some(existing)) => {
            agreement::paid(ctx, response, trans_id, existing, &view, &mut writes)?
        }
        (TransStatus::Authorised(trans_id), future_pay, _) => {
            if let Some(id) = future_pay {
                agreement::create(ctx, response, id, snapshot, &mut writes);
            }
            authorised(ctx, response, trans_id, snapshot, &view, &mut writes)?
        }
        (TransStatus::Cancelled, _, _) => cancelled(ctx, response, snapshot, &view, &mut writes)?,
        (TransStatus::AgreementCreated, Some(id), None) => {
            agreement::created_without_payment(ctx, response, id, snapshot, &view, &mut writes)?
        }
        (TransStatus::Declined(trans_id), Some(_), Some(existing)) => agreement::declined(
            ctx,
            response,
            trans_id.as_ref(),
            existing,
            &view,
            &mut writes,
        )?,
        (TransStatus::AgreementEnded(status), Some(_), Some(existing)) => {
            agreement::ended(ctx, *status, existing, &view, &mut writes)?
        }
        (_, Some(id), _) => agreement::unknown(ctx, response, id, &view, &mut writes)?,
        // verify() gives the agreement statuses only with a futurePayId.
        (_, None, _) => (Outcome::Duplicate, ctx.page("page_thanks.html", &view)?),
    };
    writes.saved_outcome = Some(SavedOutcome {
        key,
        fingerprint: response.fingerprint.clone(),
        reply: reply.clone(),
    });
    Ok(Decision {
        outcome,
        reply,
        writes,
    })
}

/// A key seen before: the same content is a harmless repeat; different content under the
/// same transaction is suspicious and alerts the operator, once per distinct content.
fn repeat(
    ctx: &Context,
    response: &PaymentResponse,
    saved: &SavedOutcome,
    key: &str,
) -> Result<Decision, RenderError> {
    if saved.fingerprint == response.fingerprint {
        return Ok(Decision {
            outcome: Outcome::Duplicate,
            reply: saved.reply.clone(),
            writes: Writes::default(),
        });
    }
    let alert = ctx.alert(
        format!("conflict#{key}#{}", response.fingerprint.as_str()),
        MailKind::OperatorAlert,
        Some(&response.cart_id),
        "selectpay: conflicting repeat of a payment response",
        "A payment response arrived again under the same key with different content. \
         Nothing was changed; the first response stands. Compare the two deliveries.",
        vec![
            ("Cart", response.cart_id.to_string()),
            ("Key", key.to_owned()),
        ],
    )?;
    Ok(Decision {
        outcome: Outcome::ConflictingDuplicate,
        reply: saved.reply.clone(),
        writes: Writes::alert(alert),
    })
}

/// How an authentic authorisation stands against its cart.
#[derive(Clone, Copy)]
enum Judgement {
    Accepted,
    DoublePayment,
    Review(ReviewReason),
}

impl From<Judgement> for PaymentStatus {
    fn from(judgement: Judgement) -> Self {
        match judgement {
            Judgement::Accepted => PaymentStatus::Accepted,
            Judgement::DoublePayment => PaymentStatus::DoublePayment,
            Judgement::Review(reason) => PaymentStatus::Review(reason),
        }
    }
}

fn authorised(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Result<(Outcome, Reply), RenderError> {
    let review = |reason| Some(Judgement::Review(reason));
    let status = match &snapshot.cart {
        _ if !ctx.settings.mode.accepts(response.test_mode) => {
            review(ReviewReason::TestModeNotAllowed)
        }
        None => review(ReviewReason::UnknownCart),
        Some(cart) if cart.status == CartStatus::Paid => {
            if cart.paid_by.as_ref() == Some(trans_id) {
                None
            } else {
                Some(Judgement::DoublePayment)
            }
        }
        Some(cart) => match response.amount {
            Some(paid) if paid.currency() != cart.amount.currency() => {
                review(ReviewReason::CurrencyMismatch)
            }
            Some(paid) if paid == cart.amount => Some(Judgement::Accepted),
            None if response.field("currency") != Some(cart.amount.currency().code()) => {
                review(ReviewReason::CurrencyMismatch)
            }
            _ => review(ReviewReason::AmountMismatch),
        },
    };
    let facts = || {
        vec![
            ("Cart", response.cart_id.to_string()),
            ("Transaction", trans_id.to_string()),
            ("Amount received", view.amount.clone()),
            (
                "Amount due",
                snapshot
                    .cart
                    .as_ref()
                    .map_or_else(|| "unknown cart".to_owned(), |c| c.amount.to_string()),
            ),
        ]
    };
    let Some(status) = status else {
        return Ok((Outcome::Duplicate, ctx.page("page_thanks.html", view)?));
    };
    writes.payment = Some(payment(ctx, response, trans_id, status.into()));
    match status {
        Judgement::Accepted => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: CartStatus::Paid,
                paid_by: Some(trans_id.clone()),
            });
            let shopper_email = response
                .field("email")
                .and_then(|e| EmailAddress::parse(e).ok());
            if let Some(to) = shopper_email {
                writes.mails.push(ctx.mail(
                    Envelope {
                        id: format!("receipt#{trans_id}"),
                        kind: MailKind::Receipt,
                        to,
                        cart_id: Some(&response.cart_id),
                        subject: format!("Your receipt for order {}", response.cart_id),
                    },
                    "mail_receipt",
                    view,
                )?);
            }
            writes.mails.push(ctx.mail(
                Envelope {
                    id: format!("notice#{trans_id}"),
                    kind: MailKind::OrderNotice,
                    to: ctx.settings.merchant_email.clone(),
                    cart_id: Some(&response.cart_id),
                    subject: format!("New paid order {} ({})", response.cart_id, view.amount),
                },
                "mail_order_notice",
                view,
            )?);
            Ok((Outcome::Paid, ctx.page("page_thanks.html", view)?))
        }
        Judgement::DoublePayment => {
            writes.mails.push(ctx.alert(
                format!("double#{trans_id}"),
                MailKind::MerchantAlert,
                Some(&response.cart_id),
                &format!("Double payment for order {}: refund one", response.cart_id),
                "This order was already paid by another transaction and has now been paid \
                 again. Refund one of the two payments in WorldPay's Customer Management System.",
                facts(),
            )?);
            Ok((Outcome::DoublePayment, ctx.page("page_thanks.html", view)?))
        }
        Judgement::Review(reason) => {
            writes.mails.push(ctx.alert(
                format!("review#{trans_id}"),
                MailKind::MerchantAlert,
                Some(&response.cart_id),
                &format!("Payment for order {} needs checking", response.cart_id),
                "WorldPay authorised a payment that does not match the order, so the order \
                 has not been fulfilled. Check it in WorldPay's Customer Management System \
                 before shipping anything, and refund it if it is not right.",
                [vec![("Reason", reason.as_str().to_owned())], facts()].concat(),
            )?);
            Ok((Outcome::Review(reason), ctx.page("page_review.html", view)?))
        }
    }
}

fn payment(
    ctx: &Context,
    response: &PaymentResponse,
    trans_id: &TransId,
    status: PaymentStatus,
) -> Payment {
    let text = |name| response.field(name).map(str::to_owned);
    Payment {
        trans_id: trans_id.clone(),
        cart_id: response.cart_id.clone(),
        status,
        amount: text("amount").unwrap_or_default(),
        currency: text("currency").unwrap_or_default(),
        test_mode: response.test_mode == crate::settings::TestMode::Test,
        auth_mode: text("authMode"),
        avs: text("AVS"),
        card_type: text("cardType"),
        received_at: ctx.now,
    }
}

fn cancelled(
    ctx: &Context,
    response: &PaymentResponse,
    snapshot: &Snapshot,
    view: &ResponseView,
    writes: &mut Writes,
) -> Result<(Outcome, Reply), RenderError> {
    match &snapshot.cart {
        Some(cart) if cart.status == CartStatus::Paid => {
            Ok((Outcome::CancelAfterPay, ctx.page("page_thanks.html", view)?))
        }
        Some(cart) if cart.status == CartStatus::Pending => {
            writes.cart_change = Some(CartChange {
                cart_id: response.cart_id.clone(),
                status: CartStatus::Cancelled,
                paid_by: None,
            });
            Ok((Outcome::Cancelled, ctx.page("page_cancelled.html", view)?))
        }
        _ => Ok((Outcome::Cancelled, ctx.page("page_cancelled.html", view)?)),
    }
}
