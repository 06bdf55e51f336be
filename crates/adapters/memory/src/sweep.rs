//! When to purge expired entries from a map.

/// Decides when a map of expiring entries is swept: each time it has doubled since the
/// last sweep (and holds at least [`SweepSchedule::MIN`] entries). Each sweep is O(n)
/// but happens after n/2 inserts, so the cost per write stays O(1) amortized while the
/// map stays within twice its live size.
#[derive(Debug)]
pub(crate) struct SweepSchedule {
    next_at: usize,
}

impl SweepSchedule {
    /// Below this size a map is never swept.
    pub(crate) const MIN: usize = 1024;

    pub(crate) const fn new() -> Self {
        Self { next_at: Self::MIN }
    }

    /// Whether a map of `len` entries should be swept now.
    pub(crate) const fn due(&self, len: usize) -> bool {
        len >= self.next_at
    }

    /// Records a sweep that left `len` entries.
    pub(crate) fn swept(&mut self, len: usize) {
        self.next_at = len.saturating_mul(2).max(Self::MIN);
    }
}

impl Default for SweepSchedule {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_when_the_map_doubles() {
        let mut s = SweepSchedule::new();
        assert!(!s.due(SweepSchedule::MIN - 1));
        assert!(s.due(SweepSchedule::MIN));
        s.swept(3000);
        assert!(!s.due(5999));
        assert!(s.due(6000));
        s.swept(0);
        assert!(s.due(SweepSchedule::MIN));
    }
}
