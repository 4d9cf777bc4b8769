//! The result Opayo sends back through the shopper's browser, read from a return crypt.
//!
//! Authenticity rests on the encryption password alone, so a crypt that does not decrypt, or
//! whose fields do not parse, is refused as a whole rather than half-believed.

use thiserror::Error;

use super::amount::OpayoAmount;
use super::charset::from_latin1;
use super::crypt::{CryptError, decrypt};
use super::password::EncryptionPassword;
use super::status::Status;
use super::tx_id::VpsTxId;
use crate::ids::CartId;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReturnError {
    #[error(transparent)]
    Crypt(#[from] CryptError),
    #[error("a field of the result has no `=` or no name")]
    Malformed,
    #[error("field `{0}` appears more than once")]
    DuplicateField(&'static str),
    #[error("field `{0}` is missing")]
    MissingField(&'static str),
    #[error("field `{0}` does not parse")]
    Unparseable(&'static str),
}

/// One result, every field Opayo documents for Form. Blank fields read as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFields {
    pub status: Status,
    pub status_detail: Option<String>,
    /// Our cart id, sent as `VendorTxCode`.
    pub cart_id: CartId,
    /// Always there when Opayo registered a transaction; `MALFORMED`/`INVALID` may lack it.
    pub vps_tx_id: Option<VpsTxId>,
    pub tx_auth_no: Option<String>,
    pub amount: Option<OpayoAmount>,
    pub avs_cv2: Option<String>,
    pub address_result: Option<String>,
    pub post_code_result: Option<String>,
    pub cv2_result: Option<String>,
    pub three_d_secure_status: Option<String>,
    pub card_type: Option<String>,
    /// Exactly four digits when present, so nothing more of a card number can be stored.
    pub last4_digits: Option<String>,
    pub decline_code: Option<String>,
    pub bank_auth_code: Option<String>,
}

/// The fields read, in the order of [`ReturnFields`]. Opayo adds others over protocol
/// versions (`ExpiryDate`, `Surcharge`, …); those are dropped, since some are card data.
const KNOWN: [&str; 15] = [
    "Status",
    "StatusDetail",
    "VendorTxCode",
    "VPSTxId",
    "TxAuthNo",
    "Amount",
    "AVSCV2",
    "AddressResult",
    "PostCodeResult",
    "CV2Result",
    "3DSecureStatus",
    "CardType",
    "Last4Digits",
    "DeclineCode",
    "BankAuthCode",
];

impl ReturnFields {
    /// Decrypts and parses the `crypt` query parameter of a return URL.
    pub fn from_crypt(crypt: &str, password: &EncryptionPassword) -> Result<Self, ReturnError> {
        Self::parse(&decrypt(crypt, password)?)
    }

    /// Parses decrypted `Name=value&…` bytes. Values are verbatim, as in the request; each
    /// splits at its first `=`, so a `=` inside a value survives.
    pub fn parse(plain: &[u8]) -> Result<Self, ReturnError> {
        let text = from_latin1(plain);
        let mut values: [Option<&str>; KNOWN.len()] = [None; KNOWN.len()];
        for segment in text.split('&').filter(|segment| !segment.is_empty()) {
            let (name, value) = segment.split_once('=').ok_or(ReturnError::Malformed)?;
            if name.is_empty() {
                return Err(ReturnError::Malformed);
            }
            let Some(index) = KNOWN.iter().position(|known| *known == name) else {
                continue;
            };
            if values[index].is_some() {
                return Err(ReturnError::DuplicateField(KNOWN[index]));
            }
            values[index] = Some(value);
        }
        let [
            status,
            status_detail,
            vendor_tx_code,
            vps_tx_id,
            tx_auth_no,
            amount,
            avs_cv2,
            address_result,
            post_code_result,
            cv2_result,
            three_d_secure_status,
            card_type,
            last4_digits,
            decline_code,
            bank_auth_code,
        ] = values.map(|value| value.map(str::trim).filter(|value| !value.is_empty()));
        let status = required("Status", status)?;
        let status = Status::parse(status).ok_or(ReturnError::Unparseable("Status"))?;
        let cart_id = CartId::parse(required("VendorTxCode", vendor_tx_code)?)
            .map_err(|_| ReturnError::Unparseable("VendorTxCode"))?;
        let vps_tx_id = optional("VPSTxId", vps_tx_id, VpsTxId::parse)?;
        let amount = optional("Amount", amount, |a| OpayoAmount::parse(a).ok())?;
        let last4_digits = optional("Last4Digits", last4_digits, |digits| {
            (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.to_owned())
        })?;
        // A payment must name its transaction and its amount, or it can be neither keyed nor
        // checked against the cart.
        if status == Status::Ok {
            if vps_tx_id.is_none() {
                return Err(ReturnError::MissingField("VPSTxId"));
            }
            if amount.is_none() {
                return Err(ReturnError::MissingField("Amount"));
            }
        }
        let text = |value: Option<&str>| value.map(str::to_owned);
        Ok(Self {
            status,
            status_detail: text(status_detail),
            cart_id,
            vps_tx_id,
            tx_auth_no: text(tx_auth_no),
            amount,
            avs_cv2: text(avs_cv2),
            address_result: text(address_result),
            post_code_result: text(post_code_result),
            cv2_result: text(cv2_result),
            three_d_secure_status: text(three_d_secure_status),
            card_type: text(card_type),
            last4_digits,
            decline_code: text(decline_code),
            bank_auth_code: text(bank_auth_code),
        })
    }
}

fn required<'a>(field: &'static str, value: Option<&'a str>) -> Result<&'a str, ReturnError> {
    value.ok_or(ReturnError::MissingField(field))
}

/// Absent stays `None`; present but unreadable refuses the whole result.
fn optional<T>(
    field: &'static str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, ReturnError> {
    value
        .map(|value| parse(value).ok_or(ReturnError::Unparseable(field)))
        .transpose()
}
