//! What the shopper's browser tells us, and what a callback URL's query string says.
//!
//! WorldPay's FAQ suggests two backups for when its callback cannot reach the shop: a form
//! on the result page whose fields are `<wpdisplay>` values, and an `<img>` whose URL carries
//! `transStatus`, `transaction` (the transId) and `reference` (the cartId). Both come from the
//! shopper's browser without the callback password, so they are claims: worth recording and
//! answering with what we already know, never proof of payment. The same query names appear
//! on an authentic callback when the merchant configures a query string on the callback URL.

use super::form::Form;
use crate::ids::{CartId, TransId};
use crate::money::{Currency, Money};

/// The FAQ's query-string names and the callback fields they stand for.
pub const QUERY_ALIASES: [(&str, &str); 3] = [
    ("transaction", "transId"),
    ("reference", "cartId"),
    ("installation", "instId"),
];

/// The callback field a name stands for: the query alias resolved, any other name as is.
pub fn callback_name(name: &str) -> &str {
    QUERY_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, field)| field)
}

/// The form with query aliases renamed to callback fields. Where both names are present
/// the callback field's own value is kept: it is what the gateway fills in.
pub fn with_callback_names(form: &Form) -> Form {
    form.fields()
        .filter(|(name, _)| {
            let field = callback_name(name);
            field == *name || form.get(field).is_none()
        })
        .map(|(name, value)| (callback_name(name), value))
        .collect()
}

/// The callback fields on which a callback URL's query string contradicts the body. A
/// field blank on either side says nothing (the FAQ's cancel example has `transaction=`),
/// and names the body does not carry (the merchant's own `visitor=…`) are not compared.
pub fn contradictions(query: &Form, body: &Form) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for (name, value) in query.fields() {
        let field = callback_name(name);
        let differs = match (value.trim(), body.non_blank(field)) {
            ("", _) | (_, None) => false,
            (said, Some(body_value)) => said != body_value,
        };
        if differs && !fields.iter().any(|seen| seen == field) {
            fields.push(field.to_owned());
        }
    }
    fields
}

/// What a browser-delivered backup says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimedStatus {
    /// `transStatus=Y`: the result page said the payment was authorised.
    Authorised,
    /// `transStatus=C`.
    Cancelled,
    /// Missing or anything else: still a claim about the cart, saying nothing about it.
    Unrecognised,
}

impl ClaimedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimedStatus::Authorised => "Y",
            ClaimedStatus::Cancelled => "C",
            ClaimedStatus::Unrecognised => "unrecognised",
        }
    }
}

/// An unverified statement about a cart, from a delivery without `callbackPW`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub status: ClaimedStatus,
    pub cart_id: CartId,
    pub trans_id: Option<TransId>,
    /// `None` unless `amount` and `currency` are both present and parse.
    pub amount: Option<Money>,
}

/// Reads a claim from the FAQ's backup form or its image-tag query names. A claim that
/// names no usable cart says nothing we could answer: `None`.
pub fn read_claim(form: &Form) -> Option<Claim> {
    let form = with_callback_names(form);
    let cart_id = CartId::parse(form.non_blank("cartId")?).ok()?;
    let status = match form.non_blank("transStatus") {
        Some("Y") => ClaimedStatus::Authorised,
        Some("C") => ClaimedStatus::Cancelled,
        _ => ClaimedStatus::Unrecognised,
    };
    let trans_id = form
        .non_blank("transId")
        .and_then(|t| TransId::parse(t).ok());
    let amount = match (form.non_blank("amount"), form.non_blank("currency")) {
        (Some(amount), Some(currency)) => Currency::parse(currency)
            .and_then(|currency| Money::parse(amount, currency))
            .ok(),
        _ => None,
    };
    Some(Claim {
        status,
        cart_id,
        trans_id,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::parse_form;

    fn form(body: &str) -> Form {
        parse_form(body.as_bytes(), None).unwrap()
    }

    #[test]
    fn maps_the_faqs_query_names() {
        assert_eq!(callback_name("transaction"), "transId");
        assert_eq!(callback_name("reference"), "cartId");
        assert_eq!(callback_name("installation"), "instId");
        assert_eq!(callback_name("transStatus"), "transStatus");
        assert_eq!(callback_name("visitor"), "visitor");
    }

    #[test]
    fn the_image_tag_backup_is_a_claim() {
        let claim = read_claim(&form(
            "transStatus=Y&transaction=12227758&reference=Test%20Item",
        ))
        .unwrap();
        assert_eq!(claim.status, ClaimedStatus::Authorised);
        assert_eq!(claim.cart_id.as_str(), "Test Item");
        assert_eq!(claim.trans_id.unwrap().as_str(), "12227758");
        assert_eq!(claim.amount, None);
    }

    #[test]
    fn the_result_page_form_is_a_claim_with_its_amount() {
        let claim = read_claim(&form(
            "amount=14.99&cartId=Test+Item&currency=GBP&instId=38290&transId=12227758\
             &transStatus=Y&MC_log=2379",
        ))
        .unwrap();
        let expected = Money::parse("14.99", Currency::parse("GBP").unwrap()).unwrap();
        assert_eq!(claim.amount, Some(expected));
        assert_eq!(claim.trans_id.unwrap().as_str(), "12227758");
    }

    #[test]
    fn the_faqs_cancel_with_a_blank_transaction_is_a_cancel_claim() {
        let claim = read_claim(&form(
            "msgType=authResult&installation=38290&transStatus=C&transaction=&reference=Test%20Item",
        ))
        .unwrap();
        assert_eq!(claim.status, ClaimedStatus::Cancelled);
        assert_eq!(claim.trans_id, None);
    }

    #[test]
    fn a_claim_needs_a_cart() {
        assert_eq!(read_claim(&form("transStatus=Y&transaction=1")), None);
        assert_eq!(read_claim(&form("transStatus=Y&reference=+")), None);
        let unknown = read_claim(&form("reference=abc&transStatus=%3Cwpdisplay")).unwrap();
        assert_eq!(unknown.status, ClaimedStatus::Unrecognised);
    }

    #[test]
    fn the_gateways_own_field_wins_over_its_alias() {
        let renamed = with_callback_names(&form("instId=38290&installation=99999&reference=a"));
        assert_eq!(renamed.get("instId"), Some("38290"));
        assert_eq!(renamed.get("cartId"), Some("a"));
        assert_eq!(renamed.fields().count(), 2);
    }

    #[test]
    fn a_query_string_agreeing_with_the_body_has_no_contradiction() {
        let body =
            form("instId=38290&installation=38290&transStatus=Y&transId=12227758&cartId=Test+Item");
        let query = form(
            "msgType=authResult&installation=38290&transStatus=Y&transaction=12227758\
             &reference=Test%20Item&visitor=abc",
        );
        assert!(contradictions(&query, &body).is_empty());
        let cancel = form("instId=38290&transStatus=C&cartId=Test+Item");
        let cancel_query =
            form("installation=38290&transStatus=C&transaction=&reference=Test%20Item");
        assert!(contradictions(&cancel_query, &cancel).is_empty());
    }

    #[test]
    fn a_query_string_contradicting_the_body_names_the_fields() {
        let body = form("instId=38290&transStatus=C&transId=111&cartId=cart-1");
        let query =
            form("installation=38290&transStatus=Y&transaction=222&reference=cart-1&transId=222");
        assert_eq!(contradictions(&query, &body), ["transStatus", "transId"]);
    }
}
