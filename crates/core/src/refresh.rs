//! `POST /auth/refresh`: the rotation rules of SPEC §2.

use portcullis_domain::ports::{Rotation, RotationVerdict};
use portcullis_domain::{
    AuditEventType, ClientInfo, DeviceFingerprint, RefreshToken, RevokeReason, SessionId, UserId,
};

use crate::error::{Failure, failure_conversions};
use crate::service::{AuthService, IssuedSession};

/// Why a refresh was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Garbage, unknown, expired, revoked or another family's token: one answer.
    #[error("invalid refresh token")]
    InvalidToken,
    /// A used token came back after the grace window: the session was revoked.
    #[error("refresh token reused")]
    Reused,
    /// The token came from another device: the session was revoked.
    #[error("device mismatch")]
    DeviceMismatch,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(RefreshError);

impl AuthService {
    /// Rotates a refresh token (rules 1–6 of SPEC §2) and issues a new access token.
    ///
    /// # Errors
    /// [`RefreshError`].
    #[tracing::instrument(skip_all)]
    pub async fn refresh(
        &self,
        presented: &str,
        client: &ClientInfo,
    ) -> Result<IssuedSession, RefreshError> {
        let result = self.rotate_and_issue(presented, client).await;
        crate::counters::refresh(match &result {
            Ok(_) => "success",
            Err(RefreshError::InvalidToken) => "invalid",
            Err(RefreshError::Reused) => "reused",
            Err(RefreshError::DeviceMismatch) => "device_mismatch",
            Err(RefreshError::Failure(_)) => "error",
        });
        result
    }

    async fn rotate_and_issue(
        &self,
        presented: &str,
        client: &ClientInfo,
    ) -> Result<IssuedSession, RefreshError> {
        let presented = RefreshToken::parse(presented).ok_or(RefreshError::InvalidToken)?;
        let session_id = presented.session_id();
        let verdict = self.rotate(&presented, client).await?;
        let (user_id, successor) = match verdict {
            Verdict::Fresh { user_id, successor } => (user_id, successor),
            Verdict::Refused(refusal) => {
                return Err(self.refuse(refusal, session_id, client).await);
            }
        };
        let now = self.deps.clock.now();
        // Redis rotated; Postgres must still hold the session as active. One exception:
        // a concurrent reuse of the token we just rotated (zero grace window) may have
        // revoked the session between our rotation and this check. The rotation did win,
        // so its caller gets its answer (SPEC §2: exactly one 200, the rest reuse); the
        // tokens in it are already dead (family revoked, session denied).
        if !self.deps.sessions.touch(session_id, now).await? {
            let lost_to_reuse = self
                .deps
                .sessions
                .find(session_id)
                .await?
                .is_some_and(|s| s.revoked_reason == Some(RevokeReason::Reused));
            if !lost_to_reuse {
                self.deps.refresh_tokens.revoke_family(session_id).await?;
                return Err(RefreshError::InvalidToken);
            }
        }
        let Some(user) = self.deps.users.find_by_id(user_id).await? else {
            self.end_session(session_id, RevokeReason::AccountDeleted)
                .await?;
            return Err(RefreshError::InvalidToken);
        };
        let access_token = self.sign_access(&user, session_id)?;
        self.audit(
            AuditEventType::TokenRefreshed,
            Some(user.id),
            None,
            client,
            format!(r#"{{"session_id":"{session_id}"}}"#),
        )
        .await;
        Ok(IssuedSession {
            user,
            session_id,
            access_token,
            access_expires_in: self.policy.access_ttl,
            refresh_token: successor,
            refresh_expires_in: self.policy.refresh_ttl,
        })
    }

    /// Asks the store for a verdict on `presented`, offering a fresh successor.
    pub(crate) async fn rotate(
        &self,
        presented: &RefreshToken,
        client: &ClientInfo,
    ) -> Result<Verdict, Failure> {
        let successor = RefreshToken::new(
            presented.session_id(),
            self.deps.random.bytes32().map_err(Failure::Internal)?,
        );
        let rotation = Rotation {
            session_id: presented.session_id(),
            presented: presented.hash(),
            successor: successor.hash(),
            sealed_successor: presented.seal(&successor),
            fingerprint: DeviceFingerprint::of(self.policy.device_binding, client),
            check_device: self.policy.device_binding != portcullis_domain::DeviceBinding::Off,
            grace: self.policy.reuse_grace,
            idle_ttl: self.policy.refresh_ttl,
            now: self.deps.clock.now(),
        };
        Ok(match self.deps.refresh_tokens.rotate(&rotation).await? {
            RotationVerdict::Rotated { user_id } => Verdict::Fresh { user_id, successor },
            // Every request of a burst converges on the successor the first one installed.
            RotationVerdict::WithinGrace {
                user_id,
                sealed_successor,
            } => Verdict::Fresh {
                user_id,
                successor: presented.open(&sealed_successor),
            },
            RotationVerdict::Reused { user_id } => Verdict::Refused(Refusal::Reused(user_id)),
            RotationVerdict::DeviceMismatch { user_id } => {
                Verdict::Refused(Refusal::DeviceMismatch(user_id))
            }
            RotationVerdict::Unknown => Verdict::Refused(Refusal::Unknown),
        })
    }

    /// Finishes a refusal: the store already revoked the family (a tombstone) on reuse
    /// or device mismatch; here the session row is revoked and its access tokens denied.
    async fn refuse(
        &self,
        refusal: Refusal,
        session_id: SessionId,
        client: &ClientInfo,
    ) -> RefreshError {
        let (user_id, reason, kind, error) = match refusal {
            Refusal::Unknown => return RefreshError::InvalidToken,
            Refusal::Reused(u) => (
                u,
                RevokeReason::Reused,
                AuditEventType::RefreshTokenReused,
                RefreshError::Reused,
            ),
            Refusal::DeviceMismatch(u) => (
                u,
                RevokeReason::DeviceMismatch,
                AuditEventType::DeviceMismatch,
                RefreshError::DeviceMismatch,
            ),
        };
        tracing::warn!(session_id = %session_id, user_id = %user_id, reason = reason.as_str(), "session revoked on refresh");
        if let Err(err) = self.end_session(session_id, reason).await {
            // The family is already revoked, so no refresh can succeed; the access tokens
            // could live on, so the client must not be told the revocation is complete.
            return RefreshError::Failure(err.into());
        }
        self.audit(
            kind,
            Some(user_id),
            None,
            client,
            format!(r#"{{"session_id":"{session_id}"}}"#),
        )
        .await;
        error
    }
}

/// The store's verdict, with the successor opened.
pub(crate) enum Verdict {
    /// The presented token was good: here is the (possibly shared) successor.
    Fresh {
        user_id: UserId,
        successor: RefreshToken,
    },
    /// The presented token was refused.
    Refused(Refusal),
}

/// Why the store refused.
pub(crate) enum Refusal {
    Unknown,
    Reused(UserId),
    DeviceMismatch(UserId),
}
