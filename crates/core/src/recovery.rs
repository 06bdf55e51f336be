//! Password reset and email verification (SPEC §5): single-use tokens stored hashed,
//! links built from `PUBLIC_URL` only, answers that reveal nothing about accounts.

use portcullis_domain::ports::{OneTimeToken, RateLimitPolicy, TokenPurpose};
use portcullis_domain::{
    AuditEventType, ClientInfo, Email, Notice, OneTimeSecret, PasswordRejection, PlainPassword,
    RevokeReason, TimeSpan, User,
};

use crate::error::{Failure, failure_conversions};
use crate::service::AuthService;

/// Why a reset or verification was refused.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// Unknown, used, expired or other-purpose reset token: one answer.
    #[error("invalid reset token")]
    InvalidResetToken,
    /// Unknown, used or expired verification token: one answer.
    #[error("invalid verification token")]
    InvalidVerificationToken,
    /// The new password breaks the policy.
    #[error("weak password: {0}")]
    WeakPassword(PasswordRejection),
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(RecoveryError);

impl AuthService {
    /// `POST /auth/password/forgot`: mails a reset link when the address belongs to an
    /// account (and its per-address budget allows). Answers the same whatever happens;
    /// the HTTP layer runs it off the request so timing reveals nothing either.
    ///
    /// # Errors
    /// Only a dependency [`Failure`] (for the log; the client still sees 202).
    #[tracing::instrument(skip_all)]
    pub async fn forgot_password(&self, email: &Email) -> Result<(), Failure> {
        if !self.mail_budget("password_forgot", email).await? {
            return Ok(());
        }
        let Some(user) = self.deps.users.find_by_email(email).await? else {
            return Ok(());
        };
        let link = self
            .issue_link(
                &user,
                TokenPurpose::PasswordReset,
                self.policy.reset_ttl,
                "reset-password",
            )
            .await?;
        let notice = Notice::PasswordReset {
            link,
            expires_in: self.policy.reset_ttl,
        };
        self.deps.notifier.notify(&user.email, &notice).await?;
        Ok(())
    }

    /// `POST /auth/password/reset`: sets a new password with a reset token, ends every
    /// session, clears the lock-out, sends a notice. Does not log the user in.
    ///
    /// # Errors
    /// [`RecoveryError::InvalidResetToken`], [`RecoveryError::WeakPassword`].
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<(), RecoveryError> {
        // Rules that need no account are checked before the token is spent.
        check_shape(&new_password)?;
        let secret = OneTimeSecret::presented(token);
        let now = self.deps.clock.now();
        let user_id = self
            .deps
            .one_time_tokens
            .consume(secret.hash(), TokenPurpose::PasswordReset, now)
            .await?
            .ok_or(RecoveryError::InvalidResetToken)?;
        let mut user = self
            .deps
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(RecoveryError::InvalidResetToken)?;
        let password = new_password
            .checked(&user.email, user.username.as_ref())
            .map_err(RecoveryError::WeakPassword)?;
        user.password_hash = Some(self.deps.hasher.hash(&password).await?);
        user.updated_at = now;
        self.deps.users.update(&user).await.map_err(|e| match e {
            portcullis_domain::ports::UserWriteError::Store(e) => RecoveryError::from(e),
            _ => RecoveryError::InvalidResetToken,
        })?;
        let ended = self
            .end_user_sessions(user.id, None, RevokeReason::PasswordChanged)
            .await?;
        self.deps
            .lockout
            .clear(&format!("email:{}", user.email))
            .await?;
        if let Some(username) = &user.username {
            self.deps
                .lockout
                .clear(&format!("username:{username}"))
                .await?;
        }
        self.notify_logged(&user.email, &Notice::PasswordChanged)
            .await;
        self.audit(
            AuditEventType::PasswordReset,
            Some(user.id),
            None,
            client,
            format!(r#"{{"sessions_revoked":{}}}"#, ended.len()),
        )
        .await;
        Ok(())
    }

    /// `POST /auth/email/verify`.
    ///
    /// # Errors
    /// [`RecoveryError::InvalidVerificationToken`].
    #[tracing::instrument(skip_all)]
    pub async fn verify_email(
        &self,
        token: &str,
        client: &ClientInfo,
    ) -> Result<(), RecoveryError> {
        let secret = OneTimeSecret::presented(token);
        let now = self.deps.clock.now();
        let user_id = self
            .deps
            .one_time_tokens
            .consume(secret.hash(), TokenPurpose::EmailVerification, now)
            .await?
            .ok_or(RecoveryError::InvalidVerificationToken)?;
        let mut user = self
            .deps
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(RecoveryError::InvalidVerificationToken)?;
        if !user.email_verified {
            user.email_verified = true;
            user.updated_at = now;
            self.deps.users.update(&user).await.map_err(|e| match e {
                portcullis_domain::ports::UserWriteError::Store(e) => RecoveryError::from(e),
                _ => RecoveryError::InvalidVerificationToken,
            })?;
            self.audit(
                AuditEventType::EmailVerified,
                Some(user.id),
                None,
                client,
                "{}".to_owned(),
            )
            .await;
        }
        Ok(())
    }

    /// `POST /auth/email/resend`: a new verification link when the address belongs to
    /// an unverified account. Answers the same whatever happens.
    ///
    /// # Errors
    /// Only a dependency [`Failure`] (for the log; the client still sees 202).
    #[tracing::instrument(skip_all)]
    pub async fn resend_verification(&self, email: &Email) -> Result<(), Failure> {
        if !self.mail_budget("email_resend", email).await? {
            return Ok(());
        }
        match self.deps.users.find_by_email(email).await? {
            Some(user) if !user.email_verified => self.send_verification(&user).await,
            _ => Ok(()),
        }
    }

    /// Mails a fresh verification link (older links stop working).
    pub(crate) async fn send_verification(&self, user: &User) -> Result<(), Failure> {
        let ttl = self.policy.verification_ttl;
        let link = self
            .issue_link(user, TokenPurpose::EmailVerification, ttl, "verify-email")
            .await?;
        self.deps
            .notifier
            .notify(
                &user.email,
                &Notice::EmailVerification {
                    link,
                    expires_in: ttl,
                },
            )
            .await?;
        Ok(())
    }

    /// Queues a notice; a failure is logged, never shown (the action already happened).
    pub(crate) async fn notify_logged(&self, to: &Email, notice: &Notice) {
        if let Err(err) = self.deps.notifier.notify(to, notice).await {
            tracing::error!(error = ?err, "could not queue a notice mail");
        }
    }

    /// Stores a new single-use token (replacing older ones of the same purpose) and
    /// returns the link that carries it.
    async fn issue_link(
        &self,
        user: &User,
        purpose: TokenPurpose,
        ttl: TimeSpan,
        page: &str,
    ) -> Result<String, Failure> {
        let secret = OneTimeSecret::new(self.deps.random.bytes32().map_err(Failure::Internal)?);
        let token = OneTimeToken {
            hash: secret.hash(),
            purpose,
            user_id: user.id,
            expires_at: self.deps.clock.now() + ttl,
        };
        self.deps.one_time_tokens.replace(&token).await?;
        Ok(format!(
            "{}/{page}?token={}",
            self.policy.public_url.trim_end_matches('/'),
            secret.expose()
        ))
    }

    /// The per-address budget of mail-sending endpoints (the per-IP one is the HTTP
    /// layer's): at most the auth limit per hour per address, silently.
    async fn mail_budget(&self, bucket: &str, email: &Email) -> Result<bool, Failure> {
        let policy = RateLimitPolicy {
            limit: 5,
            window: TimeSpan::hours(1),
        };
        let decision = self
            .rate_limit(&format!("mail:{bucket}:{email}"), policy)
            .await?;
        if !decision.allowed {
            tracing::warn!(bucket, "per-address mail budget exhausted; nothing sent");
        }
        Ok(decision.allowed)
    }
}

/// The password rules that do not depend on the account (length, NUL, blocklist),
/// checked with a placeholder identity that matches nothing.
fn check_shape(password: &PlainPassword) -> Result<(), RecoveryError> {
    let nobody = Email::parse("x@invalid.invalid").map_err(|_| {
        RecoveryError::Failure(Failure::Internal(anyhow::anyhow!("placeholder email")))
    })?;
    match password.clone().checked(&nobody, None) {
        Ok(_) | Err(PasswordRejection::ContainsIdentity) => Ok(()),
        Err(rejection) => Err(RecoveryError::WeakPassword(rejection)),
    }
}
