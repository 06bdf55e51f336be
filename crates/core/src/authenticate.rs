//! The access-token check behind every authenticated endpoint.

use portcullis_domain::{Role, SessionId, UserId};

use crate::error::Failure;
use crate::service::AuthService;

/// The caller of an authenticated request, from a verified access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    /// `sub`.
    pub user_id: UserId,
    /// `sid`.
    pub session_id: SessionId,
    /// `role` at the time the token was issued.
    pub role: Role,
}

/// Why a request is not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Bad signature, expired, revoked session, malformed: one answer, no oracle.
    #[error("invalid access token")]
    InvalidToken,
    /// The deny-list could not be read.
    #[error(transparent)]
    Failure(#[from] Failure),
}

impl AuthService {
    /// Verifies an access token: signature and claims, then the session deny-list.
    ///
    /// # Errors
    /// [`AuthError::InvalidToken`] for any bad token; a [`Failure`] when the deny-list
    /// is unreachable.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let now = self.deps.clock.now();
        let claims = self
            .deps
            .codec
            .verify(token, now)
            .map_err(|_| AuthError::InvalidToken)?;
        let denied = self
            .deps
            .deny_list
            .is_denied(claims.session_id, now)
            .await
            .map_err(|e| AuthError::Failure(e.into()))?;
        if denied {
            return Err(AuthError::InvalidToken);
        }
        Ok(Principal {
            user_id: claims.user_id,
            session_id: claims.session_id,
            role: claims.role,
        })
    }
}
