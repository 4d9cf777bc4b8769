//! The purchase request for one of our carts: how an order's shopper becomes the billing and
//! delivery details Opayo requires.

use super::request::{Address, PurchaseRequest, SendEmail};
use crate::cart::Cart;
use crate::email::EmailAddress;
use crate::order::Shopper;

impl PurchaseRequest {
    /// Opayo wants first names and surname apart; a shopper gives one name, whose last word is
    /// taken as the surname. The one address serves for billing and delivery. Fields the
    /// shopper left out stay blank, so [`PurchaseRequest::plain_text`] names the one missing.
    ///
    /// Opayo mails only the merchant: selectpay sends the shopper's receipt itself, and
    /// Opayo's mail to `vendor_email` is the record of a payment whose shopper never returned.
    pub fn for_cart(cart: &Cart, return_url: &str, vendor_email: &EmailAddress) -> Self {
        let order = &cart.order;
        let shopper = &order.shopper;
        let address = address(shopper);
        Self {
            cart_id: cart.id.clone(),
            amount: order.amount,
            description: order.description.clone(),
            success_url: return_url.to_owned(),
            failure_url: return_url.to_owned(),
            customer_name: text(shopper.name.as_deref()),
            customer_email: text(shopper.email.as_deref()),
            billing: address.clone(),
            delivery: address,
            send_email: SendEmail::VendorOnly,
            vendor_email: vendor_email.to_string(),
        }
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn address(shopper: &Shopper) -> Address {
    let name = text(shopper.name.as_deref());
    let (firstnames, surname) = name
        .trim()
        .rsplit_once(char::is_whitespace)
        .map_or((String::new(), name.trim().to_owned()), |(first, last)| {
            (first.trim().to_owned(), last.to_owned())
        });
    Address {
        surname,
        firstnames,
        address1: text(shopper.address1.as_deref()),
        city: text(shopper.town.as_deref()),
        post_code: text(shopper.postcode.as_deref()),
        country: text(shopper.country.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::cart::CartStatus;
    use crate::gateway::Gateway;
    use crate::ids::CartId;
    use crate::money::{Currency, Money};
    use crate::opayo::FieldProblem;
    use crate::order::Order;

    fn cart(shopper: Shopper) -> Cart {
        Cart {
            id: CartId::parse("c0ffee").unwrap(),
            order: Order {
                amount: Money::from_minor_units(1499, Currency::parse("GBP").unwrap()),
                description: "Tea".to_owned(),
                shopper,
                custom_fields: Vec::new(),
                future_pay: None,
                gateway: Gateway::Opayo,
            },
            status: CartStatus::Pending,
            paid_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn request(shopper: Shopper) -> PurchaseRequest {
        let merchant = EmailAddress::parse("orders@shop.example").unwrap();
        PurchaseRequest::for_cart(
            &cart(shopper),
            "https://shop.example/return/opayo",
            &merchant,
        )
    }

    fn shopper(name: &str) -> Shopper {
        Shopper {
            name: Some(name.to_owned()),
            email: Some("zoe@example.com".to_owned()),
            address1: Some("1 High Street".to_owned()),
            town: Some("London".to_owned()),
            postcode: Some("SW1A 1AA".to_owned()),
            country: Some("GB".to_owned()),
            ..Shopper::default()
        }
    }

    #[test]
    fn the_shoppers_address_bills_and_delivers_and_the_last_word_is_the_surname() {
        let request = request(shopper("Zoë  Anne Müller"));
        assert_eq!(request.billing, request.delivery);
        assert_eq!(request.billing.firstnames, "Zoë  Anne");
        assert_eq!(request.billing.surname, "Müller");
        assert_eq!(request.billing.city, "London");
        assert_eq!(request.success_url, "https://shop.example/return/opayo");
        assert_eq!(request.failure_url, request.success_url);
        assert_eq!(request.vendor_email, "orders@shop.example");
        assert_eq!(request.send_email, SendEmail::VendorOnly);
        assert!(request.plain_text().is_ok());
    }

    #[test]
    fn what_opayo_requires_and_the_shopper_left_out_is_named() {
        let one_name = request(shopper("Cher")).plain_text().unwrap_err();
        assert_eq!(
            (one_name.field, one_name.problem),
            ("BillingFirstnames", FieldProblem::Missing)
        );
        let nobody = request(Shopper::default()).plain_text().unwrap_err();
        assert_eq!(
            (nobody.field, nobody.problem),
            ("BillingSurname", FieldProblem::Missing)
        );
    }
}
