//! Deterministic `Clock`, `IdGenerator` and `SecureRandom` for tests.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};

use portcullis_domain::ports::{Clock, IdGenerator, SecureRandom};
use portcullis_domain::{SessionId, TimeSpan, Timestamp, UserId};
use uuid::Uuid;

use crate::fixtures::t0;

/// A clock that only moves when told to. Thread-safe: clones of an `Arc<ManualClock>`
/// see every change at once.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Sets the time (it may go backwards: tests of clock skew need that).
    pub fn set(&self, to: Timestamp) {
        // A panic elsewhere cannot leave a timestamp half-written: recover the value.
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the time by `by` and returns the new time.
    pub fn advance(&self, by: TimeSpan) -> Timestamp {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
        *now
    }
}

impl Default for ManualClock {
    /// A clock showing [`t0`].
    fn default() -> Self {
        Self::new(t0())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Ids from an increasing counter: UUID v7 whose timestamp is a fixed base plus the
/// counter, so every id is unique, valid v7 and sorts in creation order.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl SequentialIds {
    /// Milliseconds of [`t0`]: the timestamp field of the first id.
    const BASE_MILLIS: u64 = 1_767_225_600_000;

    /// A generator whose first id carries counter 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many ids were handed out so far.
    pub fn issued(&self) -> u64 {
        self.next.load(Ordering::SeqCst)
    }
}

impl IdGenerator for SequentialIds {
    fn user_id(&self) -> UserId {
        UserId::from_uuid(self.uuid())
    }

    fn session_id(&self) -> SessionId {
        SessionId::from_uuid(self.uuid())
    }

    fn uuid(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        uuid::Builder::from_unix_timestamp_millis(Self::BASE_MILLIS.saturating_add(n), &[0; 10])
            .into_uuid()
    }
}

/// Always the same 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedRandom(pub [u8; 32]);

impl SecureRandom for FixedRandom {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        Ok(self.0)
    }
}

/// Distinct, predictable bytes: call `n` (from 0) returns `n` as 8 big-endian bytes
/// followed by 24 zero bytes.
#[derive(Debug, Default)]
pub struct CounterRandom {
    next: AtomicU64,
}

impl CounterRandom {
    /// A generator whose first answer is all zeros.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecureRandom for CounterRandom {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let mut out = [0u8; 32];
        out[..8].copy_from_slice(&n.to_be_bytes());
        Ok(out)
    }
}

/// A source that always fails, as the OS would without entropy: callers MUST fail the
/// request rather than fall back.
#[derive(Debug, Clone, Copy, Default)]
pub struct FailingRandom;

impl SecureRandom for FailingRandom {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        Err(anyhow::anyhow!("testkit: no randomness available"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::default();
        assert_eq!(clock.now(), t0());
        assert_eq!(
            clock.advance(TimeSpan::seconds(5)),
            t0() + TimeSpan::seconds(5)
        );
        clock.set(t0());
        assert_eq!(clock.now(), t0());
    }

    #[test]
    fn sequential_ids_are_increasing_v7() {
        let ids = SequentialIds::new();
        let a = ids.uuid();
        let b = ids.user_id().as_uuid();
        let c = ids.session_id().as_uuid();
        assert!(a < b && b < c);
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(ids.issued(), 3);
    }

    #[test]
    fn randoms_are_predictable() {
        let r = CounterRandom::new();
        assert_ne!(r.bytes32().unwrap(), r.bytes32().unwrap());
        assert_eq!(FixedRandom([7; 32]).bytes32().unwrap(), [7; 32]);
        assert!(FailingRandom.bytes32().is_err());
    }
}
