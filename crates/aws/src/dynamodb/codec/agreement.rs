//! A FuturePay agreement, and its pointer in the cart's partition.

use selectpay_domain::futurepay::{
    Agreement, AgreementStatus, CancelClaim, Interval, IntervalUnit, SoldPlan,
};
use selectpay_domain::ids::{CartId, FuturePayId};
use selectpay_domain::store::StoreError;

use super::Fields;
use super::{insert_optional, n, s, time};
use crate::dynamodb::keys::*;

/// The pointer from a cart's partition to one of its agreements.
pub fn agreement_pointer_item(cart_id: &CartId, id: &FuturePayId) -> Item {
    let mut item = Key::agreement_pointer(cart_id, id).item();
    item.insert(attr::FUTURE_PAY_ID.to_owned(), s(id.as_str()));
    item
}

/// The whole agreement. While it has an overdue time it carries `duePk` and `dueAt` (the
/// overdue time itself), which put it in the sparse `due-agreements` index; without one
/// neither attribute is there, so it is not in the index at all.
pub fn agreement_item(agreement: &Agreement) -> Result<Item, StoreError> {
    let mut item = Key::agreement(&agreement.id).item();
    item.extend([
        (attr::FUTURE_PAY_ID.to_owned(), s(agreement.id.as_str())),
        (attr::CART_ID.to_owned(), s(agreement.cart_id.as_str())),
        (attr::STATUS.to_owned(), s(agreement.status.as_str())),
        (
            attr::PAYMENTS_EXPECTED.to_owned(),
            n(agreement.payments_expected),
        ),
        (attr::PAYMENTS_MADE.to_owned(), n(agreement.payments_made)),
        (
            attr::PAYMENTS_DECLINED.to_owned(),
            n(agreement.payments_declined),
        ),
        (
            attr::CANCEL_FAILURES.to_owned(),
            n(agreement.cancel_failures),
        ),
        (attr::VERSION.to_owned(), n(agreement.version)),
        (attr::CREATED_AT.to_owned(), time(agreement.created_at)?),
    ]);
    if let Some(sold) = &agreement.plan {
        // Whole, like the cart's plan: one JSON string in the domain's own serde form.
        let json = serde_json::to_string(sold).map_err(StoreError::invariant)?;
        item.insert(attr::PLAN.to_owned(), s(json));
    }
    if let Some(interval) = agreement.interval {
        item.insert(attr::INTERVAL_UNIT.to_owned(), s(interval.unit().name()));
        item.insert(attr::INTERVAL_MULT.to_owned(), n(interval.mult()));
    }
    if let Some(at) = agreement.last_payment_at {
        item.insert(attr::LAST_PAYMENT_AT.to_owned(), time(at)?);
    }
    if let Some(due) = agreement.overdue_at {
        item.insert(attr::DUE_PK.to_owned(), s(DUE));
        item.insert(attr::DUE_AT.to_owned(), time(due)?);
    }
    insert_optional(
        &mut item,
        attr::SHOPPER_EMAIL,
        agreement.shopper_email.as_deref(),
    );
    if let Some(claim) = &agreement.cancel_claim {
        item.insert(attr::CLAIM_BY.to_owned(), s(&claim.by));
        item.insert(attr::CLAIM_UNTIL.to_owned(), time(claim.until)?);
    }
    Ok(item)
}

/// The agreement a pointer points to.
pub fn agreement_id(item: &Item) -> Result<FuturePayId, StoreError> {
    Fields(item).future_pay_id()
}

pub fn agreement(item: &Item) -> Result<Agreement, StoreError> {
    let fields = Fields(item);
    let status = fields.text(attr::STATUS)?;
    let interval = match fields.optional_text(attr::INTERVAL_UNIT)? {
        None if fields.optional(attr::INTERVAL_MULT).is_some() => {
            return Err(fields.corrupt(attr::INTERVAL_UNIT, "missing, with a multiplier"));
        }
        None => None,
        Some(name) => {
            let unit = IntervalUnit::parse(name)
                .ok_or_else(|| fields.corrupt(attr::INTERVAL_UNIT, name))?;
            let mult = fields.number(attr::INTERVAL_MULT)?;
            Some(Interval::new(unit, mult).map_err(|e| fields.corrupt(attr::INTERVAL_MULT, e))?)
        }
    };
    let overdue_at = fields.optional_time(attr::DUE_AT)?;
    // An overdue time outside the index would never be swept: worse than no agreement.
    match (overdue_at.is_some(), fields.optional_text(attr::DUE_PK)?) {
        (true, Some(DUE)) | (false, None) => {}
        (_, Some(other)) => return Err(fields.corrupt(attr::DUE_PK, other)),
        (true, None) => return Err(fields.corrupt(attr::DUE_PK, "missing, with a due time")),
    }
    let cancel_claim = match (
        fields.optional_owned(attr::CLAIM_BY)?,
        fields.optional_time(attr::CLAIM_UNTIL)?,
    ) {
        (Some(by), Some(until)) => Some(CancelClaim { by, until }),
        (None, None) => None,
        (Some(_), None) => return Err(fields.corrupt(attr::CLAIM_UNTIL, "missing")),
        (None, Some(_)) => return Err(fields.corrupt(attr::CLAIM_BY, "missing")),
    };
    Ok(Agreement {
        id: fields.future_pay_id()?,
        cart_id: fields.cart_id(attr::CART_ID)?,
        status: AgreementStatus::parse(status)
            .ok_or_else(|| fields.corrupt(attr::STATUS, status))?,
        plan: fields
            .optional_text(attr::PLAN)?
            .map(|json| {
                serde_json::from_str::<SoldPlan>(json).map_err(|e| fields.corrupt(attr::PLAN, e))
            })
            .transpose()?,
        interval,
        payments_expected: fields.number(attr::PAYMENTS_EXPECTED)?,
        payments_made: fields.number(attr::PAYMENTS_MADE)?,
        payments_declined: fields.number(attr::PAYMENTS_DECLINED)?,
        last_payment_at: fields.optional_time(attr::LAST_PAYMENT_AT)?,
        overdue_at,
        shopper_email: fields.optional_owned(attr::SHOPPER_EMAIL)?,
        cancel_claim,
        cancel_failures: fields.number(attr::CANCEL_FAILURES)?,
        version: fields.number(attr::VERSION)?,
        created_at: fields.time(attr::CREATED_AT)?,
    })
}
