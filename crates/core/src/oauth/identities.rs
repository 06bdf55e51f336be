//! `GET /me/identities` and `DELETE /me/identities/{provider}`.

use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::{AuditEventType, ClientInfo};

use crate::authenticate::Principal;
use crate::error::{Failure, failure_conversions};
use crate::service::AuthService;

/// Why an identity operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The caller has no link to this provider.
    #[error("identity not found")]
    NotFound,
    /// The account has no password and this is its only link: removing it would
    /// leave no way to sign in.
    #[error("last login method")]
    LastLoginMethod,
    /// The caller's account no longer exists.
    #[error("account gone")]
    AccountGone,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(IdentityError);

impl AuthService {
    /// The caller's provider links, oldest first.
    ///
    /// # Errors
    /// [`IdentityError::AccountGone`], or a failure.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_identities(
        &self,
        principal: &Principal,
    ) -> Result<Vec<OAuthIdentity>, IdentityError> {
        self.deps
            .users
            .find_by_id(principal.user_id)
            .await?
            .ok_or(IdentityError::AccountGone)?;
        let Some(setup) = self.oauth.as_deref() else {
            return Ok(Vec::new());
        };
        Ok(setup.identities.list_for_user(principal.user_id).await?)
    }

    /// Removes the caller's link to `provider`, unless it is their last way to sign in.
    ///
    /// # Errors
    /// [`IdentityError`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unlink_identity(
        &self,
        principal: &Principal,
        provider: ProviderName,
        client: &ClientInfo,
    ) -> Result<(), IdentityError> {
        let user = self
            .deps
            .users
            .find_by_id(principal.user_id)
            .await?
            .ok_or(IdentityError::AccountGone)?;
        let setup = self.oauth.as_deref().ok_or(IdentityError::NotFound)?;
        let links = setup.identities.list_for_user(user.id).await?;
        if !links.iter().any(|l| l.provider == provider) {
            return Err(IdentityError::NotFound);
        }
        let others = links.iter().filter(|l| l.provider != provider).count();
        if user.password_hash.is_none() && others == 0 {
            return Err(IdentityError::LastLoginMethod);
        }
        if !setup.identities.unlink(user.id, provider).await? {
            return Err(IdentityError::NotFound);
        }
        self.audit(
            AuditEventType::OauthUnlinked,
            Some(user.id),
            Some(user.id),
            client,
            format!(r#"{{"provider":"{provider}"}}"#),
        )
        .await;
        Ok(())
    }
}
