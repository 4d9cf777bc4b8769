//! Opayo's `Status`: the outcome of a Form transaction as the shopper's browser brings it.

use std::fmt;

/// All eight values Opayo Form returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Authorised: the shopper paid.
    Ok,
    /// The bank declined the card.
    NotAuthed,
    /// Opayo's own fraud screening (AVS/CV2, 3-D Secure rules) refused the transaction.
    Rejected,
    /// The shopper pressed cancel on Opayo's pages.
    Abort,
    /// Our request was not well formed: a fault on our side, not the shopper's.
    Malformed,
    /// Our request had a value Opayo does not accept: also our fault.
    Invalid,
    /// Opayo failed internally.
    Error,
    /// A payment method that settles later; not yet money.
    Pending,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Ok,
        Status::NotAuthed,
        Status::Rejected,
        Status::Abort,
        Status::Malformed,
        Status::Invalid,
        Status::Error,
        Status::Pending,
    ];

    /// Exact and case-sensitive, as Opayo writes it.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::NotAuthed => "NOTAUTHED",
            Status::Rejected => "REJECTED",
            Status::Abort => "ABORT",
            Status::Malformed => "MALFORMED",
            Status::Invalid => "INVALID",
            Status::Error => "ERROR",
            Status::Pending => "PENDING",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_name() {
        let names: Vec<String> = Status::ALL.iter().map(Status::to_string).collect();
        assert_eq!(
            names,
            [
                "OK",
                "NOTAUTHED",
                "REJECTED",
                "ABORT",
                "MALFORMED",
                "INVALID",
                "ERROR",
                "PENDING"
            ]
        );
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn unknown_or_differently_cased_values_are_not_statuses() {
        for bad in ["", "ok", "Ok", "OK ", "AUTHENTICATED", "REGISTERED"] {
            assert_eq!(Status::parse(bad), None, "{bad:?}");
        }
    }
}
