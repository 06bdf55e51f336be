//! `RefreshTokenStore`: refresh-token families and their atomic rotation.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::session::{DeviceFingerprint, SessionId};
use crate::token::{RefreshTokenHash, SealedSecret};
use crate::user::UserId;
use crate::{TimeSpan, Timestamp};

/// The first token of a new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamily {
    /// The session (family id).
    pub session_id: SessionId,
    /// Its owner.
    pub user_id: UserId,
    /// Digest of the first token.
    pub token: RefreshTokenHash,
    /// Device the session started on.
    pub fingerprint: DeviceFingerprint,
    /// Sliding lifetime of an unused token (`REFRESH_TOKEN_TTL`).
    pub idle_ttl: TimeSpan,
    /// The session's absolute end of life: no token of the family outlives it.
    pub absolute_expiry: Timestamp,
    /// Issue time.
    pub now: Timestamp,
}

/// One refresh attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The family named by the presented token.
    pub session_id: SessionId,
    /// Digest of the presented token.
    pub presented: RefreshTokenHash,
    /// Digest of the successor to install when the presented token is current.
    pub successor: RefreshTokenHash,
    /// The successor's secret sealed with the presented token, kept for the grace window.
    pub sealed_successor: SealedSecret,
    /// The requesting device; compared with the family's when `check_device` is set.
    pub fingerprint: DeviceFingerprint,
    /// Whether device binding is on.
    pub check_device: bool,
    /// `REFRESH_REUSE_GRACE`; zero disables the window.
    pub grace: TimeSpan,
    /// Sliding lifetime of the successor.
    pub idle_ttl: TimeSpan,
    /// Request time.
    pub now: Timestamp,
}

/// What a rotation decided. Every verdict is reached in one atomic step per family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationVerdict {
    /// The presented token was current: it is now used and `successor` is current.
    Rotated {
        /// Family owner.
        user_id: UserId,
    },
    /// The presented token was rotated less than `grace` ago from the same device: the
    /// family is unchanged, and this is the successor that rotation installed.
    WithinGrace {
        /// Family owner.
        user_id: UserId,
        /// The successor sealed with the presented token.
        sealed_successor: SealedSecret,
    },
    /// The presented token was used before: rotated away outside the window (or two
    /// rotations ago), or any used token of a revoked family. On a live family the
    /// family was revoked in the same step; on a revoked one nothing changed.
    Reused {
        /// Family owner.
        user_id: UserId,
    },
    /// The device differs from the family's (current token or within the window): the
    /// family was revoked in the same step.
    DeviceMismatch {
        /// Family owner.
        user_id: UserId,
    },
    /// No family knows this token as current or used: garbage, another family's, never
    /// installed, any token of an expired (forgotten) family, or the current token of a
    /// revoked family.
    Unknown,
}

/// Refresh-token families (one per session): digests of every issued token, which one
/// is current, and the sealed successor of the last rotation.
///
/// A family ends in one of two ways:
/// - **Expiry**: its idle TTL has passed since the last issue or rotation, or its
///   absolute expiry. The family is forgotten: every token is `Unknown`.
/// - **Revocation**: [`revoke_family`](Self::revoke_family),
///   [`revoke_user`](Self::revoke_user), or the store's own `Reused` and
///   `DeviceMismatch` verdicts. The family stays as a *tombstone* until the moment it
///   would have expired: its current token is `Unknown`, and every token it rotated
///   away (the previous one, inside or outside the window, and all older ones) answers
///   `Reused` with no further effect and without a device check. So a replayed token
///   after logout is still recognised as reuse, and a zero-window burst ends with one
///   `Rotated` and only `Reused` for the others.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RefreshTokenStore: Send + Sync + 'static {
    /// Starts a family with its first token.
    ///
    /// # Errors
    /// Only [`StoreError`]. MUST NOT store the plain token.
    async fn issue(&self, family: &NewFamily) -> Result<(), StoreError>;

    /// Rotates atomically and returns the verdict, with these rules in this order:
    /// - family missing or expired (idle TTL since the last rotation, or absolute
    ///   expiry) → `Unknown`;
    /// - family revoked (a tombstone): `presented` is a token it rotated away (the
    ///   previous one, whatever the window, or any older one) → `Reused`, family
    ///   unchanged, device not checked; anything else, the current token included →
    ///   `Unknown`;
    /// - `presented` is the current token: device differs (with `check_device`) →
    ///   revoke family, `DeviceMismatch`; else install `successor` → `Rotated`;
    /// - `presented` is the previous token and `now` < rotation time + `grace`: device
    ///   differs → revoke family, `DeviceMismatch`; else `WithinGrace` with the stored
    ///   sealed successor (the family is unchanged);
    /// - `presented` is any older token of the family, or the previous one after the
    ///   window → revoke family, `Reused`;
    /// - otherwise → `Unknown` (the family is untouched: a guess cannot revoke it).
    ///
    /// Revoking keeps the family's expiry: the tombstone is forgotten when the family
    /// would have expired.
    ///
    /// N concurrent calls with the same presented token MUST yield exactly one `Rotated`;
    /// the others see `WithinGrace` (same sealed successor) or, with a zero window,
    /// `Reused` — also across processes sharing the store.
    ///
    /// # Errors
    /// Only [`StoreError`]; on error the family MUST be unchanged.
    async fn rotate(&self, rotation: &Rotation) -> Result<RotationVerdict, StoreError>;

    /// Revokes a family, leaving a tombstone until it would have expired: its current
    /// token becomes `Unknown`, every token it rotated away answers `Reused`. Nothing
    /// happens to a missing, expired or already revoked family. Idempotent.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn revoke_family(&self, session: SessionId) -> Result<(), StoreError>;

    /// Revokes every family of a user, each as [`revoke_family`](Self::revoke_family)
    /// does. Idempotent.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn revoke_user(&self, user: UserId) -> Result<(), StoreError>;
}
