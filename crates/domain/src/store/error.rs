//! What can go wrong in a store, told apart by what the caller should do about it.

use thiserror::Error;

/// The underlying failure, kept whole so that logs show the chain of causes.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be reached or refused the work for now; nothing was written. Worth
    /// retrying (HTTP 503, so that WorldPay delivers again).
    #[error("store unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// A record that must be new already exists.
    #[error("already exists")]
    AlreadyExists,
    /// Stored data that does not read back as the domain wrote it: a bug or tampering, not
    /// worth retrying (HTTP 500).
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[source] Cause),
    /// The caller asked for something the store contract forbids (an unguarded mail, a
    /// change to a cart that does not exist): a bug upstream, not worth retrying (HTTP 500).
    #[error("store contract broken: {0}")]
    Invariant(#[source] Cause),
}

impl StoreError {
    pub fn unavailable(cause: impl Into<Cause>) -> Self {
        Self::Unavailable(cause.into())
    }

    pub fn corrupt(cause: impl Into<Cause>) -> Self {
        Self::Corrupt(cause.into())
    }

    pub fn invariant(cause: impl Into<Cause>) -> Self {
        Self::Invariant(cause.into())
    }

    /// Whether the same request may succeed later: only then is it worth a retry.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn the_cause_is_kept_as_the_source() {
        let error = StoreError::corrupt(std::fmt::Error);
        assert!(error.source().is_some_and(|s| s.is::<std::fmt::Error>()));
        assert!(!error.is_transient());
        assert!(StoreError::unavailable("throttled").is_transient());
    }
}
