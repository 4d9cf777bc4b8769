//! Turning a decoded form into a payment response we can act on, or a reason we cannot.

use sha2::{Digest, Sha256};

use super::backup::{Claim, read_claim};
use super::form::Form;
use crate::futurepay::AgreementStatus;
use crate::idempotency_key::IdempotencyKey;
use crate::ids::{CartId, FuturePayId, TransId};
use crate::money::{Currency, Money};
use crate::settings::{Settings, TestMode};

/// What happened. A payment or a cancel may belong to a FuturePay agreement; the other
/// events are only ever about an agreement, so they carry its `futurePayId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransStatus {
    /// An authorisation always names its transaction. With a `futurePayId` it is an
    /// agreement's first payment or one of its scheduled payments.
    Authorised {
        trans_id: TransId,
        future_pay: Option<FuturePayId>,
    },
    /// A cancel may carry the `transId` of an earlier declined attempt, which proves nothing.
    Cancelled { future_pay: Option<FuturePayId> },
    Agreement {
        id: FuturePayId,
        event: AgreementEvent,
    },
}

impl TransStatus {
    /// The agreement this is about, if any.
    pub fn future_pay(&self) -> Option<&FuturePayId> {
        match self {
            TransStatus::Authorised { future_pay, .. } | TransStatus::Cancelled { future_pay } => {
                future_pay.as_ref()
            }
            TransStatus::Agreement { id, .. } => Some(id),
        }
    }
}

/// What WorldPay reports about an agreement other than a payment it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementEvent {
    /// Set up with nothing charged at once (`trans.fpCreatedNoAuth`).
    CreatedWithoutPayment,
    /// A scheduled payment the issuer refused.
    Declined(Option<TransId>),
    /// `futurePayStatusChange`: the merchant or the shopper ended the agreement.
    Ended(AgreementStatus),
}

/// Why a delivery was refused as not from the gateway. Never shown to the sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenReason {
    /// Present but not ours, blank included. A delivery with no `callbackPW` field at all is
    /// a browser's claim instead ([`Verdict::Claim`]).
    WrongPassword,
    ForeignInstallation,
    /// An Opayo return whose crypt does not decrypt with our encryption password.
    BadCrypt,
}

impl ForbiddenReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ForbiddenReason::WrongPassword => "wrong_password",
            ForbiddenReason::ForeignInstallation => "foreign_installation",
            ForbiddenReason::BadCrypt => "bad_crypt",
        }
    }
}

/// Why an authentic-looking delivery cannot be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidReason {
    Unparseable,
    /// The declared charset is not ASCII-compatible (UTF-16, ISO-2022-JP, …).
    UnsupportedCharset,
    MissingTransStatus,
    UnsupportedTransStatus,
    MissingCartId,
    MissingTransId,
}

impl InvalidReason {
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidReason::Unparseable => "unparseable",
            InvalidReason::UnsupportedCharset => "unsupported_charset",
            InvalidReason::MissingTransStatus => "missing_trans_status",
            InvalidReason::UnsupportedTransStatus => "unsupported_trans_status",
            InvalidReason::MissingCartId => "missing_cart_id",
            InvalidReason::MissingTransId => "missing_trans_id",
        }
    }
}

/// A content hash of a delivery, password excluded, to tell a repeat from a different
/// message under the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(form: &Form) -> Self {
        let mut fields: Vec<(&str, &str)> =
            form.fields().filter(|(n, _)| *n != "callbackPW").collect();
        fields.sort_unstable();
        let mut hasher = Sha256::new();
        for (name, value) in fields {
            for part in [name, value] {
                hasher.update((part.len() as u64).to_be_bytes());
                hasher.update(part.as_bytes());
            }
        }
        Self(hex::encode(&hasher.finalize()[..16]))
    }

    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A delivery that proved it came from the gateway for our installation.
#[derive(Debug, Clone)]
pub struct PaymentResponse {
    pub status: TransStatus,
    pub cart_id: CartId,
    /// `None` when `amount`/`currency` do not parse: such a payment can never match a cart.
    pub amount: Option<Money>,
    pub test_mode: TestMode,
    pub fingerprint: Fingerprint,
    pub form: Form,
}

impl PaymentResponse {
    /// The key under which the outcome of this delivery is saved, so a repeat of it is
    /// answered from the saved outcome.
    pub fn idempotency_key(&self) -> IdempotencyKey {
        match &self.status {
            TransStatus::Authorised { trans_id, .. } => IdempotencyKey::payment(trans_id),
            TransStatus::Cancelled { .. } => IdempotencyKey::cancellation(&self.cart_id),
            TransStatus::Agreement { id, event } => match event {
                AgreementEvent::CreatedWithoutPayment => IdempotencyKey::agreement_created(id),
                AgreementEvent::Declined(Some(trans_id)) => {
                    IdempotencyKey::agreement_declined(id, trans_id)
                }
                AgreementEvent::Declined(None) => {
                    IdempotencyKey::agreement_declined_unnamed(id, &self.fingerprint)
                }
                AgreementEvent::Ended(_) => IdempotencyKey::agreement_ended(id),
            },
        }
    }

    /// The agreement this delivery is about, if any.
    pub fn future_pay(&self) -> Option<&FuturePayId> {
        self.status.future_pay()
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.non_blank(name)
    }
}

/// An authentic FuturePay callback without a `cartId`: WorldPay's FAQ finds the agreement
/// by its `futurePayId`, and the agreement names its cart.
#[derive(Debug, Clone)]
pub struct CartlessResponse {
    future_pay: FuturePayId,
    status: TransStatus,
    amount: Option<Money>,
    test_mode: TestMode,
    fingerprint: Fingerprint,
    form: Form,
}

impl CartlessResponse {
    pub fn future_pay(&self) -> &FuturePayId {
        &self.future_pay
    }

    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.non_blank(name)
    }

    /// The response about the agreement's own cart.
    pub fn for_cart(self, cart_id: CartId) -> PaymentResponse {
        PaymentResponse {
            status: self.status,
            cart_id,
            amount: self.amount,
            test_mode: self.test_mode,
            fingerprint: self.fingerprint,
            form: self.form,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Verdict {
    Forbidden(ForbiddenReason),
    Invalid(InvalidReason),
    /// No `callbackPW` field at all: a backup from the shopper's browser, unverified.
    Claim(Box<Claim>),
    Authentic(Box<PaymentResponse>),
    WithoutCart(Box<CartlessResponse>),
}

/// Checks what WorldPay's FAQ asks for before anything is trusted: the callback password
/// (in constant time), our installation, then the fields needed to act. Without any
/// password field the delivery came through the shopper's browser (the FAQ's backup form
/// or image tag): a claim about a cart, or nothing usable if it names none.
pub fn verify(form: Form, settings: &Settings) -> Verdict {
    let Some(password) = form.get("callbackPW") else {
        return match read_claim(&form) {
            Some(claim) => Verdict::Claim(Box::new(claim)),
            None => Verdict::Invalid(InvalidReason::MissingCartId),
        };
    };
    if !password_matches(password, settings) {
        return Verdict::Forbidden(ForbiddenReason::WrongPassword);
    }
    verify_content(form, settings)
}

/// [`verify`] for data the operator vouches for (`selectpay replay`): WorldPay's copy in a
/// Callback Failure Alert, or a delivery we stored without its password. A missing
/// `callbackPW` is accepted here only; one that is present must still be ours.
pub fn verify_vouched(form: Form, settings: &Settings) -> Verdict {
    if let Some(password) = form.get("callbackPW")
        && !password_matches(password, settings)
    {
        return Verdict::Forbidden(ForbiddenReason::WrongPassword);
    }
    verify_content(form, settings)
}

/// In constant time, after trimming as WorldPay does.
fn password_matches(password: &str, settings: &Settings) -> bool {
    settings
        .callback_password
        .as_ref()
        .is_some_and(|expected| expected.matches(password.trim()))
}

/// Our installation, then the fields needed to act.
fn verify_content(form: Form, settings: &Settings) -> Verdict {
    let installations: Vec<&str> = ["instId", "installation"]
        .iter()
        .filter_map(|name| form.get(name))
        .collect();
    let ours = settings.installation_id.as_str();
    if installations.is_empty() || installations.iter().any(|i| i.trim() != ours) {
        return Verdict::Forbidden(ForbiddenReason::ForeignInstallation);
    }
    let trans_id = form
        .non_blank("transId")
        .and_then(|t| TransId::parse(t).ok());
    let future_pay = form
        .non_blank("futurePayId")
        .and_then(|id| FuturePayId::parse(id).ok());
    let status_change = form.non_blank("futurePayStatusChange");
    let created_without_payment = form.non_blank("rawAuthMessage") == Some("trans.fpCreatedNoAuth");
    let agreement = |id, event| TransStatus::Agreement { id, event };
    let status = match (form.non_blank("transStatus"), trans_id, future_pay) {
        (_, _, Some(id)) if status_change.is_some() => match status_change {
            Some("Merchant Cancelled") => agreement(
                id,
                AgreementEvent::Ended(AgreementStatus::CancelledByMerchant),
            ),
            Some("Customer Cancelled") => agreement(
                id,
                AgreementEvent::Ended(AgreementStatus::CancelledByCustomer),
            ),
            _ => return Verdict::Invalid(InvalidReason::UnsupportedTransStatus),
        },
        (None, _, _) => return Verdict::Invalid(InvalidReason::MissingTransStatus),
        (Some("Y"), Some(trans_id), future_pay) => TransStatus::Authorised {
            trans_id,
            future_pay,
        },
        (Some("Y"), None, Some(id)) if created_without_payment => {
            agreement(id, AgreementEvent::CreatedWithoutPayment)
        }
        (Some("Y"), None, _) => return Verdict::Invalid(InvalidReason::MissingTransId),
        (Some("N"), trans_id, Some(id)) => agreement(id, AgreementEvent::Declined(trans_id)),
        (Some("C"), _, future_pay) => TransStatus::Cancelled { future_pay },
        (Some(_), _, _) => return Verdict::Invalid(InvalidReason::UnsupportedTransStatus),
    };
    let cart_id = form.non_blank("cartId").and_then(|c| CartId::parse(c).ok());
    let amount = match (form.non_blank("amount"), form.non_blank("currency")) {
        (Some(amount), Some(currency)) => Currency::parse(currency)
            .and_then(|currency| Money::parse(amount, currency))
            .ok(),
        _ => None,
    };
    let test_mode = TestMode::from_field(form.get("testMode"));
    let fingerprint = Fingerprint::of(&form);
    match (cart_id, status.future_pay().cloned()) {
        (Some(cart_id), _) => Verdict::Authentic(Box::new(PaymentResponse {
            status,
            cart_id,
            amount,
            test_mode,
            fingerprint,
            form,
        })),
        (None, Some(future_pay)) => Verdict::WithoutCart(Box::new(CartlessResponse {
            future_pay,
            status,
            amount,
            test_mode,
            fingerprint,
            form,
        })),
        (None, None) => Verdict::Invalid(InvalidReason::MissingCartId),
    }
}
