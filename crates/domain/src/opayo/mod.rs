//! Opayo (formerly Protx / Sage Pay) Form's wire format: the encrypted purchase request the
//! shopper's browser carries to Opayo, and the encrypted result it brings back. Pure, like the
//! rest of the domain, and nothing here knows about stores.

mod amount;
mod crypt;
mod form;
mod from_cart;
mod password;
mod plain_text;
mod request;
mod return_fields;
mod return_url;
mod status;
mod translate;
mod tx_id;
mod vendor;

pub use amount::OpayoAmount;
pub use crypt::{CryptError, MAX_CRYPT_CHARS, decrypt, encrypt};
pub use form::{TX_TYPE, VPS_PROTOCOL, form_fields, register_url};
pub use password::{EncryptionPassword, PASSWORD_BYTES, PasswordError};
pub use plain_text::{FieldError, FieldProblem};
pub use request::{Address, PurchaseRequest, SendEmail};
pub use return_fields::{ReturnError, ReturnFields};
pub use return_url::{ReturnUrlError, crypt_of_return};
pub use status::Status;
pub use translate::{Returned, translate};
pub use tx_id::VpsTxId;
pub use vendor::{VendorError, VendorName};
