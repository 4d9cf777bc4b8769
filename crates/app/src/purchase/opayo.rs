//! The purchase form for a cart paid through Opayo Form: the same reply shape as WorldPay's
//! token (an action and hidden fields), so the storefront and the HTML page serve both.

use selectpay_domain::cart::Cart;
use selectpay_domain::opayo::{
    FieldError, FieldProblem, PurchaseRequest, form_fields, register_url,
};
use selectpay_domain::settings::Settings;
use selectpay_domain::token::PurchaseToken;

use crate::config::{OpayoConfig, secret};
use crate::reply::HandlerError;

/// The crypt's plain text, checked against Opayo's field rules: run before the cart is
/// stored, so an order Opayo would refuse is answered `422` and leaves no cart behind.
pub(super) fn request(settings: &Settings, opayo: &OpayoConfig, cart: &Cart) -> PurchaseRequest {
    PurchaseRequest::for_cart(cart, opayo.return_url.as_str(), &settings.merchant_email)
}

pub(super) fn form(
    settings: &Settings,
    opayo: &OpayoConfig,
    cart: &Cart,
) -> Result<PurchaseToken, HandlerError> {
    let password = opayo
        .encryption_password
        .as_ref()
        .ok_or(HandlerError::NotConfigured(
            secret::OPAYO_ENCRYPTION_PASSWORD,
        ))?;
    let crypt = request(settings, opayo, cart).crypt(password)?;
    Ok(PurchaseToken {
        action: register_url(settings.mode),
        fields: form_fields(opayo.vendor.as_str(), &crypt)
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
    })
}

/// Why Opayo would refuse the field, said of the purchase field.
pub(super) fn refusal(error: &FieldError) -> String {
    match (error.field, &error.problem) {
        (
            "BillingSurname" | "BillingFirstnames" | "DeliverySurname" | "DeliveryFirstnames",
            FieldProblem::Missing,
        ) => "needs a first name and a surname for Opayo".into(),
        (_, FieldProblem::Missing) => "is required for Opayo".into(),
        // The others name Opayo themselves.
        (_, problem) => problem.to_string(),
    }
}

/// The purchase field to blame for what Opayo would refuse, named as the storefront sent it.
pub(super) fn purchase_field(error: &FieldError) -> &'static str {
    match error.field {
        "CustomerName" | "BillingSurname" | "BillingFirstnames" | "DeliverySurname"
        | "DeliveryFirstnames" => "shopper.name",
        "CustomerEMail" => "shopper.email",
        "BillingAddress1" | "DeliveryAddress1" => "shopper.address1",
        "BillingCity" | "DeliveryCity" => "shopper.town",
        "BillingPostCode" | "DeliveryPostCode" => "shopper.postcode",
        "BillingCountry" | "DeliveryCountry" => "shopper.country",
        "Description" => "description",
        _ => "amount",
    }
}
