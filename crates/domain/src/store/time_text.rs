//! The one way stores write a time down: UTC, fixed width and to the nanosecond, so that
//! text order is time order (the stores sort and page on it) and a time reads back exactly.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::StoreError;

const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");

/// `at` as stored text. A time that cannot be formatted is a broken invariant, not an
/// outage: retrying would fail the same way.
pub fn encode(at: OffsetDateTime) -> Result<String, StoreError> {
    at.to_offset(UtcOffset::UTC)
        .format(FORMAT)
        .map_err(|e| StoreError::invariant(format!("time {at} cannot be stored: {e}")))
}

/// The time [`encode`] wrote as `text`; anything else fails (the caller names what it read).
pub fn decode(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    PrimitiveDateTime::parse(text, FORMAT).map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn text_order_is_time_order_and_offsets_are_normalised() {
        let early = encode(datetime!(2024-05-01 09:00 +02:00)).unwrap();
        let late = encode(datetime!(2024-05-01 08:00:00.000000001 UTC)).unwrap();
        assert_eq!(early, "2024-05-01T07:00:00.000000000Z");
        assert!(early < late);
        assert_eq!(
            decode(&late).unwrap(),
            datetime!(2024-05-01 08:00:00.000000001 UTC)
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T07:00:00Z",
            "2024-05-01T07:00:00.000000000+01:00",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }
}
