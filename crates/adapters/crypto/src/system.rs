//! The production sources of non-determinism: the OS CSPRNG, the system clock and
//! UUID v7 identifiers.

use portcullis_domain::ports::{Clock, IdGenerator, SecureRandom};
use portcullis_domain::{SessionId, Timestamp, UserId};
use uuid::Uuid;

/// Random bytes from the operating system's CSPRNG (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        let mut bytes = [0u8; 32];
        // getrandom's error is `std::error::Error` only with its `std` feature.
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
        Ok(bytes)
    }
}

/// The system's wall clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// Time-ordered UUID v7 identifiers (RFC 9562), so primary-key indexes stay compact.
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidV7Ids;

impl IdGenerator for UuidV7Ids {
    fn user_id(&self) -> UserId {
        UserId::from_uuid(Uuid::now_v7())
    }

    fn session_id(&self) -> SessionId {
        SessionId::from_uuid(Uuid::now_v7())
    }

    fn uuid(&self) -> Uuid {
        Uuid::now_v7()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_differ_between_calls() {
        let (a, b) = (OsRandom.bytes32().unwrap(), OsRandom.bytes32().unwrap());
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }

    #[test]
    fn clock_is_close_to_now() {
        let skew = (SystemClock.now() - chrono::Utc::now()).num_seconds().abs();
        assert!(skew <= 1);
    }

    #[test]
    fn ids_are_v7_and_ordered() {
        let ids = UuidV7Ids;
        let (a, b) = (ids.uuid(), ids.uuid());
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b, "v7 ids from one generator are monotonic");
        assert_eq!(ids.user_id().as_uuid().get_version_num(), 7);
        assert_eq!(ids.session_id().as_uuid().get_version_num(), 7);
    }
}
