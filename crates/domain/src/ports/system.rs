//! `Clock`, `IdGenerator`, `SecureRandom`: the non-deterministic inputs, injectable so
//! tests control time and randomness.

use crate::Timestamp;
use crate::session::SessionId;
use crate::user::UserId;

/// The current time.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync + 'static {
    /// Now, UTC.
    fn now(&self) -> Timestamp;
}

/// Fresh identifiers (UUID v7 in production).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait IdGenerator: Send + Sync + 'static {
    /// A new user id.
    fn user_id(&self) -> UserId;
    /// A new session id.
    fn session_id(&self) -> SessionId;
    /// A new opaque id (token ids, audit ids).
    fn uuid(&self) -> uuid::Uuid;
}

/// Cryptographically secure random bytes (the OS CSPRNG in production).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SecureRandom: Send + Sync + 'static {
    /// 32 fresh random bytes (256 bits).
    ///
    /// # Errors
    /// When the OS cannot provide randomness; callers MUST fail the request, never fall
    /// back to a weaker source.
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error>;
}
