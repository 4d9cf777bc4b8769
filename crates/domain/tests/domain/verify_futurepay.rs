//! `verify` tells FuturePay callbacks apart by what WorldPay sends with a `futurePayId`.

use crate::support;

use selectpay_domain::callback::{AgreementEvent, Form, TransStatus, Verdict, verify};
use selectpay_domain::futurepay::AgreementStatus;
use selectpay_domain::ids::{FuturePayId, TransId};

fn status_of(extra: &[(&str, &str)]) -> Result<TransStatus, String> {
    let form: Form = [("callbackPW", "pw"), ("instId", "38290"), ("cartId", "c1")]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    match verify(form, &support::settings()) {
        Verdict::Authentic(response) => Ok(response.status),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn futurepay_callbacks_are_told_apart() {
    let fp = ("futurePayId", "193743");
    let agreement = |event| TransStatus::Agreement {
        id: FuturePayId::parse("193743").unwrap(),
        event,
    };
    assert_eq!(
        status_of(&[fp, ("transStatus", "Y"), ("transId", "1")]),
        Ok(TransStatus::Authorised {
            trans_id: TransId::parse("1").unwrap(),
            future_pay: Some(FuturePayId::parse("193743").unwrap()),
        })
    );
    assert_eq!(
        status_of(&[
            fp,
            ("transStatus", "Y"),
            ("rawAuthMessage", "trans.fpCreatedNoAuth")
        ]),
        Ok(agreement(AgreementEvent::CreatedWithoutPayment))
    );
    assert_eq!(
        status_of(&[fp, ("transStatus", "N"), ("transId", "2")]),
        Ok(agreement(AgreementEvent::Declined(Some(
            TransId::parse("2").unwrap()
        ))))
    );
    assert_eq!(
        status_of(&[fp, ("futurePayStatusChange", "Customer Cancelled")]),
        Ok(agreement(AgreementEvent::Ended(
            AgreementStatus::CancelledByCustomer
        )))
    );
    assert_eq!(
        status_of(&[fp, ("futurePayStatusChange", "Merchant Cancelled")]),
        Ok(agreement(AgreementEvent::Ended(
            AgreementStatus::CancelledByMerchant
        )))
    );
}

#[test]
fn declines_and_status_changes_need_an_agreement() {
    assert!(status_of(&[("transStatus", "N"), ("transId", "2")]).is_err());
    assert!(
        status_of(&[("transStatus", "Y")]).is_err(),
        "Y without transId"
    );
    assert!(status_of(&[("futurePayId", "1"), ("futurePayStatusChange", "Paused")]).is_err());
}
