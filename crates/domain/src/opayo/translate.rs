//! An Opayo result as the gateway-neutral payment response the decision table takes.
//!
//! The table reads a response in one vocabulary (`transStatus`, `amount`, `name`, …). Opayo's
//! result names its own fields and leaves out what the shop sent it, so those come from our
//! order: the currency (the amount is read in the cart's), and the shopper's name and address
//! for the receipt. Authenticity is the decryption itself, so nothing here checks a password.

use super::return_fields::ReturnFields;
use super::status::Status;
use crate::callback::{Fingerprint, Form, PaymentResponse, TransStatus};
use crate::ids::TransId;
use crate::order::Order;
use crate::settings::{Mode, TestMode};

/// What a result asks of selectpay.
#[derive(Debug, Clone)]
pub enum Returned {
    /// `OK` or `ABORT`: decided by the table like any gateway's payment or cancel, keyed on
    /// `VPSTxId` for a payment.
    Decide(Box<PaymentResponse>),
    /// `NOTAUTHED` or `REJECTED`: the card was refused; the cart stays open for another try.
    Declined,
    /// `PENDING`: a method that settles later; nothing is paid yet.
    Pending,
    /// `MALFORMED`, `INVALID` or `ERROR`: Opayo could not take our request.
    Failed,
}

/// `order` is the cart's, `None` for a cart we do not know (which the table then holds for
/// review). Opayo's test and live systems are told apart by where we sent the shopper, which
/// follows the deployment's mode.
pub fn translate(fields: &ReturnFields, order: Option<&Order>, mode: Mode) -> Returned {
    let status = match (fields.status, &fields.vps_tx_id) {
        (Status::Ok, Some(vps_tx_id)) => match TransId::parse(vps_tx_id.as_str()) {
            Ok(trans_id) => TransStatus::Authorised {
                trans_id,
                future_pay: None,
            },
            Err(_) => return Returned::Failed,
        },
        (Status::Abort, _) => TransStatus::Cancelled { future_pay: None },
        (Status::NotAuthed | Status::Rejected, _) => return Returned::Declined,
        (Status::Pending, _) => return Returned::Pending,
        (Status::Ok | Status::Malformed | Status::Invalid | Status::Error, _) => {
            return Returned::Failed;
        }
    };
    let form = vocabulary(fields, order);
    let amount = fields
        .amount
        .as_ref()
        .zip(order)
        .and_then(|(amount, order)| amount.in_currency(order.amount.currency()).ok());
    Returned::Decide(Box::new(PaymentResponse {
        status,
        cart_id: fields.cart_id.clone(),
        amount,
        test_mode: match mode {
            Mode::Test => TestMode::Test,
            Mode::Live => TestMode::Live,
        },
        fingerprint: Fingerprint::of(&form),
        form,
    }))
}

/// The result's fields under the names the table, its pages and its mails read, followed by
/// Opayo's own for the record.
fn vocabulary(fields: &ReturnFields, order: Option<&Order>) -> Form {
    let amount = fields.amount.as_ref().map(ToString::to_string);
    let trans_status = if fields.status == Status::Ok {
        "Y"
    } else {
        "C"
    };
    let own = [
        ("cartId", Some(fields.cart_id.as_str())),
        ("transId", fields.vps_tx_id.as_ref().map(|id| id.as_str())),
        ("transStatus", Some(trans_status)),
        ("amount", amount.as_deref()),
        (
            "currency",
            order.map(|order| order.amount.currency().code()),
        ),
        ("desc", order.map(|order| order.description.as_str())),
        ("cardType", fields.card_type.as_deref()),
        ("AVS", fields.avs_cv2.as_deref()),
        ("Status", Some(fields.status.as_str())),
        ("StatusDetail", fields.status_detail.as_deref()),
        ("TxAuthNo", fields.tx_auth_no.as_deref()),
        ("3DSecureStatus", fields.three_d_secure_status.as_deref()),
        ("Last4Digits", fields.last4_digits.as_deref()),
    ];
    let shopper = order
        .into_iter()
        .flat_map(|order| order.shopper.token_fields());
    let custom = order
        .into_iter()
        .flat_map(|order| &order.custom_fields)
        .map(|field| (field.name(), field.value()));
    own.into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .chain(shopper)
        .map(|(name, value)| (name.to_owned(), value))
        .chain(custom.map(|(name, value)| (name.to_owned(), value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::Gateway;
    use crate::money::{Currency, Money};
    use crate::order::Shopper;

    fn order() -> Order {
        Order {
            amount: Money::from_minor_units(123_456, Currency::parse("EUR").unwrap()),
            description: "Tea".to_owned(),
            shopper: Shopper {
                name: Some("Zoë Müller".to_owned()),
                email: Some("zoe@example.com".to_owned()),
                ..Shopper::default()
            },
            custom_fields: Vec::new(),
            future_pay: None,
            gateway: Gateway::Opayo,
        }
    }

    fn fields(status: &str) -> ReturnFields {
        let plain = format!(
            "Status={status}&VendorTxCode=c0ffee&VPSTxId={{AB-1}}&Amount=1,234.56&CardType=VISA"
        );
        ReturnFields::parse(plain.as_bytes()).unwrap()
    }

    fn response(returned: Returned) -> PaymentResponse {
        match returned {
            Returned::Decide(response) => *response,
            other => panic!("not decided: {other:?}"),
        }
    }

    #[test]
    fn a_payment_is_keyed_on_vpstxid_and_read_in_the_carts_currency() {
        let response = response(translate(&fields("OK"), Some(&order()), Mode::Test));
        assert_eq!(response.idempotency_key().to_string(), "trans#{AB-1}");
        assert_eq!(response.amount, Some(order().amount));
        assert_eq!(response.test_mode, TestMode::Test);
        assert_eq!(response.field("currency"), Some("EUR"));
        assert_eq!(response.field("email"), Some("zoe@example.com"));
        assert_eq!(response.field("cardType"), Some("VISA"));
    }

    #[test]
    fn the_same_result_has_the_same_fingerprint() {
        let first = response(translate(&fields("OK"), Some(&order()), Mode::Live));
        let again = response(translate(&fields("OK"), Some(&order()), Mode::Live));
        assert_eq!(first.fingerprint, again.fingerprint);
        let other =
            ReturnFields::parse(b"Status=OK&VendorTxCode=c0ffee&VPSTxId={AB-1}&Amount=1.00")
                .unwrap();
        let other = response(translate(&other, Some(&order()), Mode::Live));
        assert_ne!(first.fingerprint, other.fingerprint);
    }

    #[test]
    fn an_abort_cancels_and_an_unknown_cart_has_no_amount() {
        let abort = response(translate(&fields("ABORT"), Some(&order()), Mode::Test));
        assert_eq!(abort.status, TransStatus::Cancelled { future_pay: None });
        let unknown = response(translate(&fields("OK"), None, Mode::Test));
        assert_eq!(unknown.amount, None);
    }

    #[test]
    fn the_other_statuses_are_not_for_the_table() {
        for (status, expected) in [
            ("NOTAUTHED", "Declined"),
            ("REJECTED", "Declined"),
            ("PENDING", "Pending"),
            ("MALFORMED", "Failed"),
            ("INVALID", "Failed"),
            ("ERROR", "Failed"),
        ] {
            let returned = translate(&fields(status), Some(&order()), Mode::Test);
            assert_eq!(format!("{returned:?}"), expected, "{status}");
        }
    }
}
