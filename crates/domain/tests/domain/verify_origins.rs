//! Who vouches for a delivery: the password for the gateway's own POST, nobody for a
//! browser's backup (a claim), the operator for `selectpay replay`.

use selectpay_domain::callback::backup::ClaimedStatus;
use selectpay_domain::callback::{
    ForbiddenReason, Form, InvalidReason, Verdict, verify, verify_vouched,
};

use crate::support;

fn form(password: Option<&str>) -> Form {
    let mut fields = support::payment_fields();
    if let Some(password) = password {
        fields.push(("callbackPW", password));
    }
    fields.into_iter().collect()
}

#[test]
fn no_password_field_at_all_is_a_claim_and_a_blank_one_is_forbidden() {
    let settings = support::settings();
    match verify(form(None), &settings) {
        Verdict::Claim(claim) => {
            assert_eq!(claim.status, ClaimedStatus::Authorised);
            assert_eq!(claim.cart_id.as_str(), "c1");
        }
        other => panic!("not a claim: {other:?}"),
    }
    for blank in ["", "  "] {
        assert!(matches!(
            verify(form(Some(blank)), &settings),
            Verdict::Forbidden(ForbiddenReason::WrongPassword)
        ));
    }
    let no_cart: Form = [("transStatus", "Y")].into_iter().collect();
    assert!(matches!(
        verify(no_cart, &settings),
        Verdict::Invalid(InvalidReason::MissingCartId)
    ));
}

#[test]
fn the_operator_vouches_for_data_without_a_password_but_not_with_a_wrong_one() {
    let settings = support::settings();
    assert!(matches!(
        verify_vouched(form(None), &settings),
        Verdict::Authentic(_)
    ));
    assert!(matches!(
        verify_vouched(form(Some(" pw ")), &settings),
        Verdict::Authentic(_)
    ));
    assert!(matches!(
        verify_vouched(form(Some("guess")), &settings),
        Verdict::Forbidden(ForbiddenReason::WrongPassword)
    ));
}
