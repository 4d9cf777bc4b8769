//! The purchase request inside the `Crypt` the shopper's browser posts to Opayo, checked
//! against Opayo's field limits before anything is sent, so a refusal names the field here
//! rather than coming back from Opayo as `MALFORMED` or `INVALID`.

use super::crypt::encrypt;
use super::password::EncryptionPassword;
use super::plain_text::{FieldError, FieldProblem, encode, join};
use crate::ids::CartId;
use crate::money::Money;

/// Who Opayo mails its own confirmation to (`SendEMail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendEmail {
    Nobody,
    ShopperAndVendor,
    VendorOnly,
}

impl SendEmail {
    fn field(self) -> &'static str {
        match self {
            SendEmail::Nobody => "0",
            SendEmail::ShopperAndVendor => "1",
            SendEmail::VendorOnly => "2",
        }
    }
}

/// The address fields Opayo requires for both billing and delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub surname: String,
    pub firstnames: String,
    pub address1: String,
    pub city: String,
    /// May be blank: Opayo accepts no postcode for countries without them (e.g. IE).
    pub post_code: String,
    /// ISO 3166-1 alpha-2, e.g. `GB`.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRequest {
    /// Our cart id travels as `VendorTxCode` and comes back in the result.
    pub cart_id: CartId,
    pub amount: Money,
    pub description: String,
    pub success_url: String,
    pub failure_url: String,
    pub customer_name: String,
    pub customer_email: String,
    pub billing: Address,
    pub delivery: Address,
    pub send_email: SendEmail,
    /// Where Opayo sends its confirmation to the merchant: the only record of a payment
    /// whose shopper closed the browser before returning.
    pub vendor_email: String,
}

/// How Opayo constrains one field, from its Form protocol's field table.
#[derive(Clone, Copy)]
struct Rule {
    max_chars: usize,
    required: bool,
    country: bool,
}

const fn rule(max_chars: usize, required: bool) -> Rule {
    Rule {
        max_chars,
        required,
        country: false,
    }
}

const COUNTRY: Rule = Rule {
    max_chars: 2,
    required: true,
    country: true,
};

impl PurchaseRequest {
    /// The crypt for the purchase form's `Crypt` field.
    pub fn crypt(&self, password: &EncryptionPassword) -> Result<String, FieldError> {
        self.plain_text().map(|plain| encrypt(&plain, password))
    }

    /// The ISO-8859-1 bytes that [`Self::crypt`] encrypts. Blank optional fields are left
    /// out rather than sent empty.
    pub fn plain_text(&self) -> Result<Vec<u8>, FieldError> {
        let amount = self.amount.decimal();
        let fields = self.fields(&amount);
        for (field, value, rule) in &fields {
            check(field, value, rule)?;
        }
        join(fields.into_iter().map(|(field, value, _)| (field, value)))
    }

    /// Every field Opayo would refuse, in the crypt's order (at most one problem each);
    /// empty exactly when [`plain_text`](Self::plain_text) succeeds.
    pub fn problems(&self) -> Vec<FieldError> {
        let amount = self.amount.decimal();
        self.fields(&amount)
            .iter()
            .filter_map(|(field, value, rule)| {
                check(field, value, rule)
                    .and_then(|()| encode(field, value).map(drop))
                    .err()
            })
            .collect()
    }

    fn fields<'a>(&'a self, amount: &'a str) -> Vec<(&'static str, &'a str, Rule)> {
        let mut fields = vec![
            ("VendorTxCode", self.cart_id.as_str(), rule(40, true)),
            ("Amount", amount, rule(16, true)),
            ("Currency", self.amount.currency().code(), rule(3, true)),
            ("Description", self.description.as_str(), rule(100, true)),
            ("SuccessURL", self.success_url.as_str(), rule(2000, true)),
            ("FailureURL", self.failure_url.as_str(), rule(2000, true)),
            (
                "CustomerName",
                self.customer_name.as_str(),
                rule(100, false),
            ),
            (
                "CustomerEMail",
                self.customer_email.as_str(),
                rule(255, false),
            ),
        ];
        fields.extend(address_fields(BILLING, &self.billing));
        fields.extend(address_fields(DELIVERY, &self.delivery));
        fields.push(("SendEMail", self.send_email.field(), rule(1, true)));
        fields.push(("VendorEMail", self.vendor_email.as_str(), rule(255, false)));
        fields
    }
}

const BILLING: [&str; 6] = [
    "BillingSurname",
    "BillingFirstnames",
    "BillingAddress1",
    "BillingCity",
    "BillingPostCode",
    "BillingCountry",
];
const DELIVERY: [&str; 6] = [
    "DeliverySurname",
    "DeliveryFirstnames",
    "DeliveryAddress1",
    "DeliveryCity",
    "DeliveryPostCode",
    "DeliveryCountry",
];

fn address_fields<'a>(
    names: [&'static str; 6],
    address: &'a Address,
) -> impl Iterator<Item = (&'static str, &'a str, Rule)> {
    let values = [
        &address.surname,
        &address.firstnames,
        &address.address1,
        &address.city,
        &address.post_code,
        &address.country,
    ];
    let rules = [
        rule(20, true),
        rule(20, true),
        rule(100, true),
        rule(40, true),
        rule(10, false),
        COUNTRY,
    ];
    names
        .into_iter()
        .zip(values)
        .zip(rules)
        .map(|((name, value), rule)| (name, value.as_str(), rule))
}

fn check(field: &'static str, value: &str, rule: &Rule) -> Result<(), FieldError> {
    let problem = if value.is_empty() {
        rule.required.then_some(FieldProblem::Missing)
    } else if rule.country && !is_country_code(value) {
        Some(FieldProblem::NotACountry)
    } else if value.chars().count() > rule.max_chars {
        Some(FieldProblem::TooLong(rule.max_chars))
    } else {
        None
    };
    problem.map_or(Ok(()), |problem| Err(FieldError { field, problem }))
}

/// The shape of ISO 3166-1 alpha-2; whether the code is assigned is Opayo's to judge.
fn is_country_code(value: &str) -> bool {
    value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::opayo::decrypt;

    fn address(surname: &str) -> Address {
        Address {
            surname: surname.to_owned(),
            firstnames: "José".to_owned(),
            address1: "1 High Street".to_owned(),
            city: "London".to_owned(),
            post_code: "SW1A 1AA".to_owned(),
            country: "GB".to_owned(),
        }
    }

    fn request() -> PurchaseRequest {
        let gbp = Currency::parse("GBP").unwrap();
        PurchaseRequest {
            cart_id: CartId::parse("c0ffee").unwrap(),
            amount: Money::from_minor_units(123_456, gbp),
            description: "Order c0ffee at Example Shop".to_owned(),
            success_url: "https://shop.example/return/opayo?x=1".to_owned(),
            failure_url: "https://shop.example/return/opayo".to_owned(),
            customer_name: "José Müller".to_owned(),
            customer_email: "jose@example.com".to_owned(),
            billing: address("Müller"),
            delivery: address("Smith"),
            send_email: SendEmail::VendorOnly,
            vendor_email: String::new(),
        }
    }

    fn error_of(request: PurchaseRequest) -> FieldError {
        request.plain_text().unwrap_err()
    }

    #[test]
    fn writes_every_field_verbatim_in_latin1_and_leaves_out_blank_optional_ones() {
        let expected = "VendorTxCode=c0ffee&Amount=1234.56&Currency=GBP\
            &Description=Order c0ffee at Example Shop\
            &SuccessURL=https://shop.example/return/opayo?x=1\
            &FailureURL=https://shop.example/return/opayo\
            &CustomerName=José Müller&CustomerEMail=jose@example.com\
            &BillingSurname=Müller&BillingFirstnames=José&BillingAddress1=1 High Street\
            &BillingCity=London&BillingPostCode=SW1A 1AA&BillingCountry=GB\
            &DeliverySurname=Smith&DeliveryFirstnames=José&DeliveryAddress1=1 High Street\
            &DeliveryCity=London&DeliveryPostCode=SW1A 1AA&DeliveryCountry=GB\
            &SendEMail=2";
        let plain = request().plain_text().unwrap();
        assert_eq!(plain, encoding_rs::WINDOWS_1252.encode(expected).0.as_ref());
        assert!(plain.contains(&0xe9), "é is one ISO-8859-1 byte");
    }

    #[test]
    fn the_crypt_decrypts_to_the_plain_text() {
        let password = EncryptionPassword::new("0123456789abcdef").unwrap();
        let request = request();
        let crypt = request.crypt(&password).unwrap();
        assert_eq!(
            decrypt(&crypt, &password).unwrap(),
            request.plain_text().unwrap()
        );
    }

    #[test]
    fn an_ampersand_cannot_smuggle_in_a_field() {
        let mut smuggling = request();
        smuggling.billing.surname = "X&Amount=0.01".to_owned();
        assert_eq!(
            error_of(smuggling),
            FieldError {
                field: "BillingSurname",
                problem: FieldProblem::Ampersand
            }
        );
    }

    #[test]
    fn enforces_opayos_limits_per_field() {
        let mut long_name = request();
        long_name.delivery.surname = "a".repeat(21);
        assert_eq!(error_of(long_name).problem, FieldProblem::TooLong(20));
        let mut long_cart = request();
        long_cart.cart_id = CartId::parse(&"c".repeat(41)).unwrap();
        assert_eq!(
            error_of(long_cart),
            FieldError {
                field: "VendorTxCode",
                problem: FieldProblem::TooLong(40)
            }
        );
        let mut no_city = request();
        no_city.billing.city.clear();
        assert_eq!(
            error_of(no_city),
            FieldError {
                field: "BillingCity",
                problem: FieldProblem::Missing
            }
        );
        let mut no_postcode = request();
        no_postcode.delivery.post_code.clear();
        assert!(no_postcode.plain_text().is_ok(), "a postcode is optional");
    }

    #[test]
    fn refuses_text_opayo_cannot_read() {
        let mut polish = request();
        polish.customer_name = "Łukasz".to_owned();
        assert_eq!(
            error_of(polish),
            FieldError {
                field: "CustomerName",
                problem: FieldProblem::NotLatin1
            }
        );
        let mut newline = request();
        newline.description = "two\nlines".to_owned();
        assert_eq!(error_of(newline).problem, FieldProblem::ControlCharacters);
        for country in ["gb", "GBR", "G", "1A"] {
            let mut bad = request();
            bad.billing.country = country.to_owned();
            assert_eq!(
                error_of(bad),
                FieldError {
                    field: "BillingCountry",
                    problem: FieldProblem::NotACountry
                },
                "{country:?}"
            );
        }
    }
}
