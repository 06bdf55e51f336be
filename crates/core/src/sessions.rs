//! `GET /auth/sessions` and `DELETE /auth/sessions/{id}`.

use portcullis_domain::{AuditEventType, ClientInfo, RevokeReason, Session, SessionId};

use crate::authenticate::Principal;
use crate::error::{Failure, failure_conversions};
use crate::service::AuthService;

/// One row of the session list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// Whether it is the caller's own session.
    pub current: bool,
}

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No active session with this id belongs to the caller (never "forbidden": that
    /// would reveal that it exists).
    #[error("session not found")]
    NotFound,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(SessionError);

impl AuthService {
    /// The caller's active sessions, newest first.
    ///
    /// # Errors
    /// Only a dependency [`Failure`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_sessions(&self, principal: &Principal) -> Result<Vec<SessionView>, Failure> {
        let sessions = self
            .deps
            .sessions
            .list_active(principal.user_id, self.deps.clock.now())
            .await?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionView {
                current: session.id == principal.session_id,
                session,
            })
            .collect())
    }

    /// Revokes one of the caller's sessions.
    ///
    /// # Errors
    /// [`SessionError::NotFound`] when the session is not an active session of the caller.
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn revoke_session(
        &self,
        principal: &Principal,
        session_id: SessionId,
        client: &ClientInfo,
    ) -> Result<(), SessionError> {
        let now = self.deps.clock.now();
        match self.deps.sessions.find(session_id).await? {
            Some(s) if s.user_id == principal.user_id && s.is_active(now) => {}
            _ => return Err(SessionError::NotFound),
        }
        if self.end_session(session_id, RevokeReason::Revoked).await? {
            self.audit(
                AuditEventType::SessionRevoked,
                Some(principal.user_id),
                None,
                client,
                format!(r#"{{"session_id":"{session_id}"}}"#),
            )
            .await;
        }
        Ok(())
    }
}
