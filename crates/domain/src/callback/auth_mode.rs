//! Whether an authorisation took the money or only reserved it (`authMode`).

use super::form::Form;

/// `A` is immediate: the money is taken. `E` is pre-authorisation: the card is authorised
/// for the amount and nothing is taken until the merchant post-authorises (captures) the
/// payment in WorldPay's admin, before the authorisation lapses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    Immediate,
    PreAuthorisation,
}

impl AuthMode {
    /// Only an explicit `E` is a pre-authorisation: every installation that never asked for
    /// one sends `A` (or, in FuturePay payments, nothing), and has been treated as paid.
    pub fn from_form(form: &Form) -> Self {
        match form.non_blank("authMode") {
            Some("E") => AuthMode::PreAuthorisation,
            _ => AuthMode::Immediate,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Immediate => "A",
            AuthMode::PreAuthorisation => "E",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::parse_form;

    fn mode(body: &str) -> AuthMode {
        AuthMode::from_form(&parse_form(body.as_bytes(), None).unwrap())
    }

    #[test]
    fn the_faqs_authorised_example_is_a_pre_authorisation() {
        assert_eq!(mode("transStatus=Y&authMode=E"), AuthMode::PreAuthorisation);
        assert_eq!(
            mode("transStatus=Y&authMode=+E+"),
            AuthMode::PreAuthorisation
        );
    }

    #[test]
    fn anything_else_is_immediate() {
        for body in [
            "authMode=A",
            "transStatus=Y",
            "authMode=",
            "authMode=e",
            "authMode=X",
        ] {
            assert_eq!(mode(body), AuthMode::Immediate, "{body}");
        }
    }
}
