//! Saved outcomes this process wrote or was shown, by idempotency key. A saved outcome never
//! changes once written, so a repeat this process has met before (WorldPay resending a
//! callback whose reply it missed, a shopper refreshing Opayo's return page) is decided from
//! memory, as a refused commit's saved outcome would decide it: no doomed transaction just
//! to learn what the store would say. A miss costs only that transaction.

use std::collections::HashMap;
use std::sync::Mutex;

use selectpay_domain::decision::SavedOutcome;
use selectpay_domain::idempotency_key::IdempotencyKey;

/// Outcomes kept: a few hundred pages of a few KB each.
const CAPACITY: usize = 512;

#[derive(Default)]
pub(crate) struct RecentOutcomes {
    by_key: Mutex<HashMap<IdempotencyKey, SavedOutcome>>,
}

impl RecentOutcomes {
    pub(crate) fn get(&self, key: &IdempotencyKey) -> Option<SavedOutcome> {
        self.lock().get(key).cloned()
    }

    pub(crate) fn remember(&self, saved: &SavedOutcome) {
        let mut by_key = self.lock();
        // Forgetting them all when full keeps the bound without bookkeeping: a forgotten
        // outcome is only a miss.
        if by_key.len() >= CAPACITY && !by_key.contains_key(&saved.key) {
            by_key.clear();
        }
        by_key.insert(saved.key.clone(), saved.clone());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IdempotencyKey, SavedOutcome>> {
        // A panic elsewhere cannot leave the map half-changed: insert and clear are whole.
        self.by_key
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use selectpay_domain::callback::Fingerprint;
    use selectpay_domain::decision::Reply;
    use selectpay_domain::ids::TransId;

    use super::*;

    fn saved(trans: usize) -> SavedOutcome {
        SavedOutcome {
            key: IdempotencyKey::payment(&TransId::parse(&format!("T{trans}")).unwrap()),
            fingerprint: Fingerprint::from_stored(format!("{trans:032x}")),
            reply: Reply {
                status: 200,
                page: format!("page {trans}"),
            },
        }
    }

    #[test]
    fn remembers_what_it_was_given_and_stays_bounded() {
        let recent = RecentOutcomes::default();
        for trans in 0..CAPACITY {
            recent.remember(&saved(trans));
        }
        assert_eq!(recent.get(&saved(7).key), Some(saved(7)));
        recent.remember(&saved(7));
        assert_eq!(recent.lock().len(), CAPACITY, "a known key takes no room");

        recent.remember(&saved(CAPACITY));
        assert_eq!(
            recent.lock().len(),
            1,
            "full: forgets the rest, keeps the newest"
        );
        assert_eq!(recent.get(&saved(CAPACITY).key), Some(saved(CAPACITY)));
        assert_eq!(recent.get(&saved(7).key), None);
    }
}
