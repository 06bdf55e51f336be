//! `POST /auth/logout` and `POST /auth/logout-all`.

use portcullis_domain::{
    AuditEventType, ClientInfo, RefreshToken, RevokeReason, SessionId, UserId,
};

use crate::authenticate::Principal;
use crate::error::Failure;
use crate::refresh::{Refusal, Verdict};
use crate::service::AuthService;

impl AuthService {
    /// Ends the session named by a valid access token or, lacking one, by a refresh
    /// token that the store recognizes. Anything else is a no-op: logout always
    /// succeeds from the client's point of view.
    ///
    /// # Errors
    /// Only a dependency [`Failure`].
    #[tracing::instrument(skip_all)]
    pub async fn logout(
        &self,
        principal: Option<&Principal>,
        refresh_token: Option<&str>,
        client: &ClientInfo,
    ) -> Result<(), Failure> {
        let target = match principal {
            Some(p) => Some((p.session_id, p.user_id)),
            None => match refresh_token.and_then(RefreshToken::parse) {
                Some(token) => self.session_of_refresh_token(&token, client).await?,
                None => None,
            },
        };
        let Some((session_id, user_id)) = target else {
            return Ok(());
        };
        if self.end_session(session_id, RevokeReason::Logout).await? {
            self.audit(
                AuditEventType::Logout,
                Some(user_id),
                None,
                client,
                format!(r#"{{"session_id":"{session_id}"}}"#),
            )
            .await;
        }
        Ok(())
    }

    /// Ends every session of the caller.
    ///
    /// # Errors
    /// Only a dependency [`Failure`].
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn logout_all(
        &self,
        principal: &Principal,
        client: &ClientInfo,
    ) -> Result<(), Failure> {
        let ended = self
            .end_user_sessions(principal.user_id, None, RevokeReason::LogoutAll)
            .await?;
        self.audit(
            AuditEventType::Logout,
            Some(principal.user_id),
            None,
            client,
            format!(r#"{{"all":true,"sessions":{}}}"#, ended.len()),
        )
        .await;
        Ok(())
    }

    /// Which session a presented refresh token proves. A token is only trusted once
    /// the store recognizes it, so a forged token naming someone else's session ends
    /// nothing; a reused one is handled exactly as on refresh.
    async fn session_of_refresh_token(
        &self,
        token: &RefreshToken,
        client: &ClientInfo,
    ) -> Result<Option<(SessionId, UserId)>, Failure> {
        Ok(match self.rotate(token, client).await? {
            Verdict::Fresh { user_id, .. } => Some((token.session_id(), user_id)),
            Verdict::Refused(Refusal::Reused(user_id) | Refusal::DeviceMismatch(user_id)) => {
                // The store already deleted the family; finish the revocation.
                Some((token.session_id(), user_id))
            }
            Verdict::Refused(Refusal::Unknown) => None,
        })
    }
}
