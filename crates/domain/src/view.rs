//! What templates see of a payment response: only display-worthy fields, as text.

use serde::Serialize;

use crate::callback::auth_mode::AuthMode;
use crate::callback::risk::RiskSignals;
use crate::callback::{AgreementEvent, PaymentResponse, TransStatus};
use crate::settings::BaseUrl;

#[derive(Debug, Serialize)]
pub struct ResponseView<'a> {
    pub cart_id: &'a str,
    pub trans_id: Option<&'a str>,
    pub description: Option<&'a str>,
    pub amount: String,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Vec<&'a str>,
    pub auth_mode: Option<&'a str>,
    /// `authMode=E`: the card is authorised, the money not yet taken.
    pub pre_authorised: bool,
    pub avs: Option<&'a str>,
    pub card_type: Option<&'a str>,
    /// The named risk signals (AVS checks, WorldAlert, 3-D Secure), `; `-separated.
    pub risk: Option<String>,
    pub custom_fields: Vec<(&'a str, &'a str)>,
    pub shop_url: &'a str,
}

impl<'a> ResponseView<'a> {
    /// `sold` is the stored cart's description: a callback's `desc` is shown only for a
    /// cart we do not have.
    pub fn new(
        response: &'a PaymentResponse,
        sold: Option<&'a str>,
        shop_url: &'a BaseUrl,
    ) -> Self {
        let field = |name| response.field(name);
        let amount = match response.amount {
            Some(money) => money.to_string(),
            None => format!(
                "{} {}",
                field("amount").unwrap_or("?"),
                field("currency").unwrap_or("?")
            ),
        };
        let address = field("address")
            .map(|a| {
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| {
                ["address1", "address2", "address3", "town"]
                    .into_iter()
                    .filter_map(field)
                    .collect()
            })
            .into_iter()
            .chain(["postcode", "countryString"].into_iter().filter_map(field))
            .collect();
        let risk = RiskSignals::from_form(&response.form).to_string();
        let risk: Vec<&str> = risk.lines().collect();
        Self {
            cart_id: response.cart_id.as_str(),
            trans_id: match &response.status {
                TransStatus::Authorised { trans_id, .. }
                | TransStatus::Agreement {
                    event: AgreementEvent::Declined(Some(trans_id)),
                    ..
                } => Some(trans_id.as_str()),
                _ => None,
            },
            description: sold.or_else(|| field("desc")),
            amount,
            name: field("name"),
            email: field("email"),
            address,
            auth_mode: field("authMode"),
            avs: field("AVS"),
            card_type: field("cardType"),
            pre_authorised: AuthMode::from_form(&response.form) == AuthMode::PreAuthorisation,
            risk: (!risk.is_empty()).then(|| risk.join("; ")),
            custom_fields: response
                .form
                .fields()
                .filter(|(name, _)| ["M_", "MC_", "CM_"].iter().any(|p| name.starts_with(p)))
                .collect(),
            shop_url: shop_url.as_str(),
        }
    }
}
