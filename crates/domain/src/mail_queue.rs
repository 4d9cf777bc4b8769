//! The outbox as a queue: each unsent mail waits for its next attempt, is claimed with a
//! lease before it is sent, backs off after each failure and is parked once it has failed
//! too often, so that mail which cannot go never holds up mail which can.

use time::{Duration, OffsetDateTime};

use crate::mail::Mail;

/// Attempts before a mail is parked as failed: with [`retry_delay`] the last one comes
/// about two hours after the first (1 + 2 + … + 64 minutes).
pub const MAX_ATTEMPTS: u32 = 8;

/// The pause after the `attempts`-th failed attempt: one minute, doubling each time.
pub fn retry_delay(attempts: u32) -> Duration {
    Duration::minutes(1) * 2i32.pow(attempts.clamp(1, MAX_ATTEMPTS) - 1)
}

/// A claim on one mail: `by` may send it until `until`. The store grants it only when no
/// other lease holds at `now`, so two senders never both hold one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailClaim {
    pub by: String,
    pub now: OffsetDateTime,
    pub until: OffsetDateTime,
}

/// What a claimer reports of an attempt that did not end in a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailSetback {
    /// Try again at `at`.
    Retry { at: OffsetDateTime, error: String },
    /// Give up: the mail is parked as failed until someone puts it back in line.
    Park { at: OffsetDateTime, error: String },
}

/// An unsent mail with where it stands in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub mail: Mail,
    /// Attempts claimed so far.
    pub attempts: u32,
    pub next_attempt_at: OffsetDateTime,
    pub claimed_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    /// Set once the mail is parked: it is no longer tried.
    pub failed_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_a_minute_doubling() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS)
            .map(|n| retry_delay(n).whole_minutes())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128]);
        assert_eq!(retry_delay(0), Duration::minutes(1));
        assert_eq!(retry_delay(99), Duration::minutes(128));
    }
}
