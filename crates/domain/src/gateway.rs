//! Which payment gateway a cart is paid through, and which ones a deployment offers.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gateway {
    WorldPay,
    /// Opayo (formerly Protx / Sage Pay) Form, whose results the shopper's browser brings.
    Opayo,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GatewayError {
    #[error("gateway must be `worldpay` or `opayo`")]
    Unknown,
    #[error("at least one gateway must be offered")]
    None,
}

impl Gateway {
    pub const ALL: [Gateway; 2] = [Gateway::WorldPay, Gateway::Opayo];

    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::WorldPay => "worldpay",
            Gateway::Opayo => "opayo",
        }
    }

    /// Whether the result comes back only through the shopper's browser, with no
    /// server-to-server message: a shopper who closes the browser leaves the cart without one.
    pub fn reports_through_browser(self) -> bool {
        match self {
            Gateway::WorldPay => false,
            Gateway::Opayo => true,
        }
    }
}

impl FromStr for Gateway {
    type Err = GatewayError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|gateway| gateway.as_str() == value)
            .ok_or(GatewayError::Unknown)
    }
}

impl fmt::Display for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gateways a deployment offers, the first being the default for a purchase that names
/// none (`SELECTPAY_GATEWAYS=worldpay,opayo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateways(Vec<Gateway>);

impl Gateways {
    pub const DEFAULT: &'static str = "worldpay";

    pub fn parse(value: &str) -> Result<Self, GatewayError> {
        let mut gateways = Vec::new();
        for name in value
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let gateway: Gateway = name.parse()?;
            if !gateways.contains(&gateway) {
                gateways.push(gateway);
            }
        }
        if gateways.is_empty() {
            return Err(GatewayError::None);
        }
        Ok(Self(gateways))
    }

    pub fn default_gateway(&self) -> Gateway {
        self.0[0]
    }

    pub fn offers(&self, gateway: Gateway) -> bool {
        self.0.contains(&gateway)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_list_whose_first_is_the_default() {
        let both = Gateways::parse("opayo, worldpay").unwrap();
        assert_eq!(both.default_gateway(), Gateway::Opayo);
        assert!(both.offers(Gateway::WorldPay));
        let default = Gateways::parse(Gateways::DEFAULT).unwrap();
        assert_eq!(default.default_gateway(), Gateway::WorldPay);
        assert!(!default.offers(Gateway::Opayo));
    }

    #[test]
    fn refuses_unknown_or_no_gateways() {
        assert_eq!(Gateways::parse("paypal"), Err(GatewayError::Unknown));
        assert_eq!(Gateways::parse("WorldPay"), Err(GatewayError::Unknown));
        assert_eq!(Gateways::parse(" , "), Err(GatewayError::None));
    }
}
