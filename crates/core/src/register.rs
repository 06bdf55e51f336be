//! `POST /auth/register`.

use portcullis_domain::ports::UserWriteError;
use portcullis_domain::{
    AuditEventType, ClientInfo, DisplayName, Email, PasswordRejection, PlainPassword, Role, User,
    Username,
};

use crate::error::{Failure, failure_conversions};
use crate::service::{AuthService, IssuedSession};

/// A sign-up request whose fields already parsed. The password is checked here,
/// because the policy needs the email and username.
#[derive(Debug)]
pub struct Registration {
    /// Email.
    pub email: Email,
    /// New password, unchecked.
    pub password: PlainPassword,
    /// Display name.
    pub name: DisplayName,
    /// Optional username.
    pub username: Option<Username>,
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The password breaks the policy.
    #[error("weak password: {0}")]
    WeakPassword(PasswordRejection),
    /// The email belongs to another account.
    #[error("email taken")]
    EmailTaken,
    /// The username belongs to another account.
    #[error("username taken")]
    UsernameTaken,
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(RegisterError);

impl AuthService {
    /// Creates an account with the `user` role and starts its first session.
    ///
    /// # Errors
    /// [`RegisterError`].
    #[tracing::instrument(skip_all)]
    pub async fn register(
        &self,
        registration: Registration,
        client: &ClientInfo,
    ) -> Result<IssuedSession, RegisterError> {
        let Registration {
            email,
            password,
            name,
            username,
        } = registration;
        let password = password
            .checked(&email, username.as_ref())
            .map_err(RegisterError::WeakPassword)?;
        let password_hash = self.deps.hasher.hash(&password).await?;
        let now = self.deps.clock.now();
        let user = User {
            id: self.deps.ids.user_id(),
            email,
            username,
            name,
            role: Role::User,
            email_verified: false,
            mfa_enabled: false,
            password_hash: Some(password_hash),
            created_at: now,
            updated_at: now,
        };
        self.deps.users.insert(&user).await.map_err(|e| match e {
            UserWriteError::EmailTaken => RegisterError::EmailTaken,
            UserWriteError::UsernameTaken => RegisterError::UsernameTaken,
            UserWriteError::NotFound | UserWriteError::LastAdmin => {
                RegisterError::Failure(Failure::Internal(anyhow::anyhow!("insert said not found")))
            }
            UserWriteError::Store(e) => e.into(),
        })?;
        tracing::info!(user_id = %user.id, "account created");
        crate::counters::registration();
        self.audit(
            AuditEventType::UserCreated,
            Some(user.id),
            None,
            client,
            r#"{"via":"register"}"#.to_owned(),
        )
        .await;
        Ok(self.start_session(user, client).await?)
    }
}
