//! Where a page of due agreements ends, for keyset paging over `(overdue_at, id)`: the one
//! cursor both stores hand out and read back. Callers treat it as opaque; it is
//! `<overdue_at>~<hex of the id>`, so any id survives and a cursor is plain ASCII.

use crate::futurepay::Agreement;
use crate::ids::FuturePayId;
use time::OffsetDateTime;

use super::{StoreError, time_text};

/// The position just after an agreement in the due order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCursor {
    pub overdue_at: OffsetDateTime,
    pub id: FuturePayId,
}

const SEPARATOR: char = '~';

impl DueCursor {
    /// After `agreement`, which must be scheduled (it came from the due list).
    pub fn after(agreement: &Agreement) -> Result<Self, StoreError> {
        let overdue_at = agreement.overdue_at.ok_or_else(|| {
            StoreError::corrupt(format!(
                "due agreement {} has no overdue time",
                agreement.id
            ))
        })?;
        Ok(Self {
            overdue_at,
            id: agreement.id.clone(),
        })
    }

    pub fn encode(&self) -> Result<String, StoreError> {
        Ok(format!(
            "{}{SEPARATOR}{}",
            time_text::encode(self.overdue_at)?,
            hex::encode(self.id.as_str())
        ))
    }

    /// A cursor a store made, or `Corrupt`: a bad cursor must not restart or end paging.
    pub fn decode(cursor: &str) -> Result<Self, StoreError> {
        let bad = |detail: &dyn std::fmt::Display| {
            StoreError::corrupt(format!("not a due-agreements cursor: {cursor:?}: {detail}"))
        };
        let (at, id) = cursor
            .split_once(SEPARATOR)
            .ok_or_else(|| bad(&"no separator"))?;
        let overdue_at = time_text::decode(at).map_err(|e| bad(&e))?;
        let id = hex::decode(id).map_err(|e| bad(&e))?;
        let id = String::from_utf8(id).map_err(|e| bad(&e))?;
        let id = FuturePayId::parse(&id).map_err(|e| bad(&e))?;
        Ok(Self { overdue_at, id })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn cursors_round_trip_any_id() {
        for id in ["193743", "fp/2 #Zoë~x", "~"] {
            let cursor = DueCursor {
                overdue_at: datetime!(2024-05-01 00:00 UTC),
                id: FuturePayId::parse(id).unwrap(),
            };
            let text = cursor.encode().unwrap();
            assert!(text.is_ascii());
            assert_eq!(DueCursor::decode(&text).unwrap(), cursor);
        }
    }

    #[test]
    fn bad_cursors_are_refused() {
        let good = DueCursor {
            overdue_at: datetime!(2024-05-01 00:00 UTC),
            id: FuturePayId::parse("193743").unwrap(),
        }
        .encode()
        .unwrap();
        let (at, id) = good.split_once(SEPARATOR).unwrap();
        for bad in [
            String::new(),
            "not a cursor".to_owned(),
            at.to_owned(),
            format!("{at}{SEPARATOR}"),
            format!("{at}{SEPARATOR}zz"),
            format!("{at}{SEPARATOR}{id}0"),
            format!("{at}{SEPARATOR}ff"),
            format!("{at}{SEPARATOR}0a"),
            format!("yesterday{SEPARATOR}{id}"),
            format!("{}{SEPARATOR}{id}", &at[..10]),
        ] {
            let decoded = DueCursor::decode(&bad);
            assert!(
                matches!(decoded, Err(StoreError::Corrupt(_))),
                "{bad:?}: {decoded:?}"
            );
        }
    }
}
