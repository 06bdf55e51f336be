//! `/me`: read and edit the account, change the password, delete the account.

use portcullis_domain::ports::UserWriteError;
use portcullis_domain::{
    AuditEventType, ClientInfo, DisplayName, PasswordRejection, PlainPassword, RevokeReason, User,
    UserId, Username,
};

use crate::authenticate::Principal;
use crate::error::{Failure, failure_conversions};
use crate::service::AuthService;

/// A `PATCH /me` body, parsed. `None` leaves a field as it is; `Some(None)` clears the
/// username.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    /// New display name.
    pub name: Option<DisplayName>,
    /// New username, or `Some(None)` to remove it.
    pub username: Option<Option<Username>>,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The caller's own account no longer exists (the token outlived it).
    #[error("account gone")]
    AccountGone,
    /// No such account, or one the caller may not know about.
    #[error("account not found")]
    NotFound,
    /// The current password given is wrong (or the account has none).
    #[error("invalid current password")]
    InvalidCurrentPassword,
    /// The new password breaks the policy.
    #[error("weak password: {0}")]
    WeakPassword(PasswordRejection),
    /// The username belongs to another account.
    #[error("username taken")]
    UsernameTaken,
    /// The email belongs to another account.
    #[error("email taken")]
    EmailTaken,
    /// The change would leave no admin.
    #[error("last admin")]
    LastAdmin,
    /// The caller may not do this (they know the target exists: it is themself, or the
    /// action is on the collection).
    #[error("forbidden")]
    Forbidden,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(AccountError);

impl From<UserWriteError> for AccountError {
    fn from(e: UserWriteError) -> Self {
        match e {
            UserWriteError::EmailTaken => Self::EmailTaken,
            UserWriteError::UsernameTaken => Self::UsernameTaken,
            UserWriteError::NotFound => Self::NotFound,
            UserWriteError::LastAdmin => Self::LastAdmin,
            UserWriteError::Store(e) => e.into(),
        }
    }
}

impl AuthService {
    /// The caller's account.
    ///
    /// # Errors
    /// [`AccountError::AccountGone`] when it was deleted.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn me(&self, principal: &Principal) -> Result<User, AccountError> {
        self.deps
            .users
            .find_by_id(principal.user_id)
            .await?
            .ok_or(AccountError::AccountGone)
    }

    /// Changes the caller's name and/or username.
    ///
    /// # Errors
    /// [`AccountError::UsernameTaken`], [`AccountError::NotFound`].
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn update_me(
        &self,
        principal: &Principal,
        patch: ProfilePatch,
        client: &ClientInfo,
    ) -> Result<User, AccountError> {
        let mut user = self.me(principal).await?;
        if patch == ProfilePatch::default() {
            return Ok(user);
        }
        if let Some(name) = patch.name {
            user.name = name;
        }
        if let Some(username) = patch.username {
            user.username = username;
        }
        user.updated_at = self.deps.clock.now();
        self.deps.users.update(&user).await?;
        self.audit(
            AuditEventType::UserUpdated,
            Some(user.id),
            None,
            client,
            r#"{"via":"me"}"#.to_owned(),
        )
        .await;
        Ok(user)
    }

    /// Changes the caller's password after checking the current one, and ends every
    /// other session of the account.
    ///
    /// # Errors
    /// [`AccountError::InvalidCurrentPassword`], [`AccountError::WeakPassword`].
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: PlainPassword,
        new: PlainPassword,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        let user = self.me(principal).await?;
        let mut user = self
            .check_password(Some(&user), &current)
            .await?
            .ok_or(AccountError::InvalidCurrentPassword)?;
        let new = new
            .checked(&user.email, user.username.as_ref())
            .map_err(AccountError::WeakPassword)?;
        user.password_hash = Some(self.deps.hasher.hash(&new).await?);
        user.updated_at = self.deps.clock.now();
        self.deps.users.update(&user).await?;
        self.notify_logged(&user.email, &portcullis_domain::Notice::PasswordChanged)
            .await;
        let ended = self
            .end_user_sessions(
                user.id,
                Some(principal.session_id),
                RevokeReason::PasswordChanged,
            )
            .await?;
        self.audit(
            AuditEventType::PasswordChanged,
            Some(user.id),
            None,
            client,
            format!(r#"{{"other_sessions_revoked":{}}}"#, ended.len()),
        )
        .await;
        Ok(())
    }

    /// Deletes an account for good: refuses to remove the last admin (the store decides
    /// atomically), then ends every session everywhere and records the event.
    pub(crate) async fn remove_account(
        &self,
        user: &User,
        actor: Option<UserId>,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        // Delete first: if the store refuses (last admin), nothing else has changed. The
        // sessions go with the row (cascade) and are then forgotten everywhere else.
        let sessions = self
            .deps
            .sessions
            .list_active(user.id, self.deps.clock.now())
            .await?;
        if !self.deps.users.delete(user.id).await? {
            return Err(AccountError::NotFound);
        }
        self.end_user_sessions(user.id, None, RevokeReason::AccountDeleted)
            .await?;
        for session in sessions {
            self.forget_session(session.id).await?;
        }
        self.deps.refresh_tokens.revoke_user(user.id).await?;
        tracing::info!(user_id = %user.id, "account deleted");
        let via = if actor.is_some() { "admin" } else { "me" };
        self.audit(
            AuditEventType::UserDeleted,
            Some(user.id),
            actor,
            client,
            format!(r#"{{"via":"{via}"}}"#),
        )
        .await;
        Ok(())
    }

    /// Deletes the caller's account after checking the password: every session ends
    /// (refresh and access tokens), then the account goes.
    ///
    /// # Errors
    /// [`AccountError::InvalidCurrentPassword`], [`AccountError::LastAdmin`].
    #[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
    pub async fn delete_account(
        &self,
        principal: &Principal,
        password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        let user = self.me(principal).await?;
        let user = self
            .check_password(Some(&user), &password)
            .await?
            .ok_or(AccountError::InvalidCurrentPassword)?;
        self.remove_account(&user, None, client).await
    }
}
