//! `POST /auth/register`.

use portcullis_domain::ports::UserWriteError;
use portcullis_domain::{
    AuditEventType, ClientInfo, DisplayName, Email, Notice, PasswordRejection, PlainPassword, Role,
    User, Username,
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

/// What a successful registration did.
#[derive(Debug)]
pub enum RegisterOutcome {
    /// The account exists and its first session started.
    Session(Box<IssuedSession>),
    /// `REQUIRE_EMAIL_VERIFICATION`: a link was mailed (or, for a taken email, the
    /// owner was told); no session.
    VerificationSent,
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
    /// Creates an account with the `user` role and mails a verification link. Without
    /// `REQUIRE_EMAIL_VERIFICATION` it also starts the first session; with it, no
    /// session starts and a taken email gets the very same answer (the owner is mailed
    /// instead), so registration reveals no account.
    ///
    /// # Errors
    /// [`RegisterError`].
    #[tracing::instrument(skip_all)]
    pub async fn register(
        &self,
        registration: Registration,
        client: &ClientInfo,
    ) -> Result<RegisterOutcome, RegisterError> {
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
        let inserted = self.deps.users.insert(&user).await;
        if self.policy.require_email_verification
            && matches!(inserted, Err(UserWriteError::EmailTaken))
        {
            let login_link = format!("{}/login", self.policy.public_url.trim_end_matches('/'));
            self.notify_logged(&user.email, &Notice::AccountExists { login_link })
                .await;
            return Ok(RegisterOutcome::VerificationSent);
        }
        inserted.map_err(|e| match e {
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
        if let Err(err) = self.send_verification(&user).await {
            tracing::error!(error = ?err, "could not queue the verification mail");
        }
        if self.policy.require_email_verification {
            return Ok(RegisterOutcome::VerificationSent);
        }
        Ok(RegisterOutcome::Session(Box::new(
            self.start_session(user, client).await?,
        )))
    }
}
