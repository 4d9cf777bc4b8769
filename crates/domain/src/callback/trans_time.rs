//! When the gateway made a transaction, from the callback's `transTime`.
//!
//! A FuturePay schedule counts from the payments themselves, so a callback that reaches us
//! late (a retry, a replay from WorldPay's failure-alert email) must not shift it.

use time::OffsetDateTime;

/// `transTime` (milliseconds since 1970-01-01 00:00 GMT) as a time, or `received` when the
/// field is missing, malformed, or later than the callback's arrival: a time in the future
/// is a clock we do not believe, and would push the schedule out.
pub fn transaction_time(trans_time: Option<&str>, received: OffsetDateTime) -> OffsetDateTime {
    trans_time
        .and_then(|text| text.trim().parse::<i64>().ok())
        .and_then(|millis| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
        })
        .filter(|at| *at <= received)
        .unwrap_or(received)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const RECEIVED: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);

    #[test]
    fn reads_epoch_milliseconds() {
        assert_eq!(
            transaction_time(Some("999178402000"), RECEIVED),
            datetime!(2001-08-30 13:33:22 UTC),
            "the FAQ's example callback"
        );
        assert_eq!(
            transaction_time(Some("1796119199999"), RECEIVED),
            datetime!(2026-12-01 09:59:59.999 UTC)
        );
        assert_eq!(
            transaction_time(Some(" 1796119200000 "), RECEIVED),
            RECEIVED
        );
    }

    #[test]
    fn falls_back_to_arrival_when_the_field_cannot_be_believed() {
        for unbelievable in [
            None,
            Some(""),
            Some("yesterday"),
            Some("1796119200000.5"),
            Some("-1e3"),
            Some("1796119200001"),
            Some("99999999999999999999"),
            Some("9223372036854775807"),
        ] {
            assert_eq!(
                transaction_time(unbelievable, RECEIVED),
                RECEIVED,
                "{unbelievable:?}"
            );
        }
    }
}
