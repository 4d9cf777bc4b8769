//! A fixed-window budget for input nobody authenticated (browser-delivered claims): the
//! first `capacity` in each window are taken, the rest refused until the next window.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
pub struct FixedWindow {
    capacity: u32,
    window: Duration,
    started: Option<OffsetDateTime>,
    used: u32,
}

impl FixedWindow {
    pub fn new(capacity: u32, window: Duration) -> Self {
        Self {
            capacity,
            window,
            started: None,
            used: 0,
        }
    }

    /// Whether one more may be taken at `now`, counting it if so. A clock that steps back
    /// starts a new window rather than stalling the budget.
    pub fn allow(&mut self, now: OffsetDateTime) -> bool {
        let current = self
            .started
            .is_some_and(|started| now >= started && now - started < self.window);
        if !current {
            self.started = Some(now);
            self.used = 0;
        }
        if self.used < self.capacity {
            self.used += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn takes_the_capacity_then_refuses_until_the_window_ends() {
        let t0 = datetime!(2026-12-01 22:00 UTC);
        let mut budget = FixedWindow::new(2, Duration::minutes(1));
        assert!(budget.allow(t0));
        assert!(budget.allow(t0 + Duration::seconds(10)));
        assert!(!budget.allow(t0 + Duration::seconds(59)));
        assert!(budget.allow(t0 + Duration::minutes(1)));
        assert!(budget.allow(t0 + Duration::seconds(61)));
        assert!(!budget.allow(t0 + Duration::seconds(62)));
    }

    #[test]
    fn a_clock_stepping_back_starts_afresh() {
        let t0 = datetime!(2026-12-01 22:00 UTC);
        let mut budget = FixedWindow::new(1, Duration::minutes(1));
        assert!(budget.allow(t0));
        assert!(!budget.allow(t0));
        assert!(budget.allow(t0 - Duration::seconds(5)));
    }

    #[test]
    fn zero_capacity_refuses_everything() {
        let mut budget = FixedWindow::new(0, Duration::minutes(1));
        assert!(!budget.allow(datetime!(2026-12-01 22:00 UTC)));
    }
}
