//! The result Opayo sends back through the shopper's browser, read from a return crypt.
//!
//! Authenticity rests on the encryption password alone, so a crypt that does not decrypt, or
//! whose fields do not parse, is refused as a whole rather than half-believed.

use thiserror::Error;

use super::amount::OpayoAmount;
use super::crypt::{CryptError, decrypt, encrypt};
use super::password::EncryptionPassword;
use super::plain_text::{FieldError, decode, join};
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
        let text = decode(plain);
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

/// Writing a result, as Opayo does: for whatever plays Opayo (the simulator, tests).
impl ReturnFields {
    pub fn plain_text(&self) -> Result<Vec<u8>, FieldError> {
        let amount = self.amount.as_ref().map(OpayoAmount::to_string);
        let values = [
            Some(self.status.as_str()),
            self.status_detail.as_deref(),
            Some(self.cart_id.as_str()),
            self.vps_tx_id.as_ref().map(VpsTxId::as_str),
            self.tx_auth_no.as_deref(),
            amount.as_deref(),
            self.avs_cv2.as_deref(),
            self.address_result.as_deref(),
            self.post_code_result.as_deref(),
            self.cv2_result.as_deref(),
            self.three_d_secure_status.as_deref(),
            self.card_type.as_deref(),
            self.last4_digits.as_deref(),
            self.decline_code.as_deref(),
            self.bank_auth_code.as_deref(),
        ];
        join(KNOWN.into_iter().zip(values.map(Option::unwrap_or_default)))
    }

    pub fn crypt(&self, password: &EncryptionPassword) -> Result<String, FieldError> {
        self.plain_text().map(|plain| encrypt(&plain, password))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    const OK: &str = "VendorTxCode=c0ffee&VPSTxId={7C8E1B0A-3F6D-4B9E-A1C2-0D5E6F708192}\
        &Status=OK&StatusDetail=0000 : The Authorisation was Successful.&TxAuthNo=8661\
        &AVSCV2=ALL MATCH&AddressResult=MATCHED&PostCodeResult=MATCHED&CV2Result=MATCHED\
        &GiftAid=0&3DSecureStatus=OK&CAVV=AAABARR5kwAAAAAAAAAAAAAAAAA=&CardType=VISA\
        &Last4Digits=0006&ExpiryDate=1230&Amount=1,234.56&BankAuthCode=999777&DeclineCode=00";

    fn password() -> EncryptionPassword {
        EncryptionPassword::new("0123456789abcdef").unwrap()
    }

    fn parse(plain: &str) -> Result<ReturnFields, ReturnError> {
        ReturnFields::parse(plain.as_bytes())
    }

    #[test]
    fn reads_every_documented_field_of_a_payment() {
        let fields =
            ReturnFields::from_crypt(&encrypt(OK.as_bytes(), &password()), &password()).unwrap();
        let gbp = Currency::parse("GBP").unwrap();
        let text = |value: &str| Some(value.to_owned());
        assert_eq!(fields.status, Status::Ok);
        assert_eq!(
            fields.status_detail,
            text("0000 : The Authorisation was Successful.")
        );
        assert_eq!(fields.cart_id.as_str(), "c0ffee");
        assert_eq!(
            fields.vps_tx_id.as_ref().map(VpsTxId::as_str),
            Some("{7C8E1B0A-3F6D-4B9E-A1C2-0D5E6F708192}")
        );
        assert_eq!(fields.tx_auth_no, text("8661"));
        let amount = fields.amount.as_ref().unwrap().in_currency(gbp).unwrap();
        assert_eq!(amount.minor_units(), 123_456);
        assert_eq!(fields.avs_cv2, text("ALL MATCH"));
        assert_eq!(fields.address_result, text("MATCHED"));
        assert_eq!(fields.post_code_result, text("MATCHED"));
        assert_eq!(fields.cv2_result, text("MATCHED"));
        assert_eq!(fields.three_d_secure_status, text("OK"));
        assert_eq!(fields.card_type, text("VISA"));
        assert_eq!(fields.last4_digits, text("0006"));
        assert_eq!(fields.decline_code, text("00"));
        assert_eq!(fields.bank_auth_code, text("999777"));
    }

    #[test]
    fn an_abort_or_a_refused_request_needs_only_status_and_cart() {
        let abort =
            parse("Status=ABORT&StatusDetail=Cancelled&VendorTxCode=c0ffee&VPSTxId={A}").unwrap();
        assert_eq!(abort.status, Status::Abort);
        assert_eq!(abort.amount, None);
        let malformed =
            parse("Status=MALFORMED&VendorTxCode=c0ffee&StatusDetail=3045 : x").unwrap();
        assert_eq!(malformed.status, Status::Malformed);
        assert_eq!(malformed.vps_tx_id, None);
        assert_eq!(malformed.card_type, None);
    }

    #[test]
    fn a_payment_without_transaction_id_or_amount_is_refused() {
        assert_eq!(
            parse("Status=OK&VendorTxCode=c0ffee&Amount=1.00"),
            Err(ReturnError::MissingField("VPSTxId"))
        );
        assert_eq!(
            parse("Status=OK&VendorTxCode=c0ffee&VPSTxId={A}&Amount= "),
            Err(ReturnError::MissingField("Amount"))
        );
        assert_eq!(
            parse("VendorTxCode=c0ffee"),
            Err(ReturnError::MissingField("Status"))
        );
        assert_eq!(
            parse("Status=ABORT"),
            Err(ReturnError::MissingField("VendorTxCode"))
        );
    }

    #[test]
    fn refuses_unparseable_fields_instead_of_guessing() {
        let base = "Status=NOTAUTHED&VendorTxCode=c0ffee&VPSTxId={A}";
        for (extra, field) in [
            ("&Amount=1,23.00", "Amount"),
            ("&Last4Digits=4111111111111111", "Last4Digits"),
            ("&Last4Digits=00a6", "Last4Digits"),
        ] {
            assert_eq!(
                parse(&format!("{base}{extra}")),
                Err(ReturnError::Unparseable(field)),
                "{extra}"
            );
        }
        assert_eq!(
            parse("Status=AUTHENTICATED&VendorTxCode=c0ffee"),
            Err(ReturnError::Unparseable("Status"))
        );
        assert_eq!(
            parse("Status=OK&VendorTxCode=c0ffee&VPSTxId=has space&Amount=1.00"),
            Err(ReturnError::Unparseable("VPSTxId"))
        );
    }

    #[test]
    fn refuses_a_repeated_field_or_a_segment_without_a_name() {
        assert_eq!(
            parse("Status=ABORT&VendorTxCode=c0ffee&Status=OK"),
            Err(ReturnError::DuplicateField("Status"))
        );
        assert_eq!(
            parse("Status=ABORT&VendorTxCode"),
            Err(ReturnError::Malformed)
        );
        assert_eq!(parse("Status=ABORT&=x"), Err(ReturnError::Malformed));
    }

    #[test]
    fn keeps_equals_signs_inside_values_and_reads_latin1() {
        let fields = ReturnFields::parse(
            b"Status=REJECTED&VendorTxCode=c0ffee&StatusDetail=4020 : a=b \xe9&&",
        )
        .unwrap();
        assert_eq!(fields.status_detail.as_deref(), Some("4020 : a=b é"));
    }

    #[test]
    fn what_it_writes_it_reads_back() {
        let fields = parse(OK).unwrap();
        let written = fields.plain_text().unwrap();
        assert!(written.windows(16).any(|w| w == b"Amount=1,234.56&"));
        assert_eq!(ReturnFields::parse(&written), Ok(fields.clone()));
        assert_eq!(
            ReturnFields::from_crypt(&fields.crypt(&password()).unwrap(), &password()),
            Ok(fields)
        );
    }

    #[test]
    fn a_crypt_for_another_vendor_is_refused() {
        let other = EncryptionPassword::new("fedcba9876543210").unwrap();
        let crypt = encrypt(OK.as_bytes(), &other);
        assert_eq!(
            ReturnFields::from_crypt(&crypt, &password()),
            Err(ReturnError::Crypt(CryptError::BadPadding))
        );
    }
}
