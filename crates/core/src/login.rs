//! `POST /auth/login`: password check with lock-out, in constant shape whether or not
//! the account exists.

use portcullis_domain::{
    AuditEventType, ClientInfo, Email, PlainPassword, TimeSpan, User, Username,
};

use crate::error::{Failure, failure_conversions};
use crate::service::{AuthService, IssuedSession, no_details};

/// Who is signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginIdentifier {
    /// By email.
    Email(Email),
    /// By username.
    Username(Username),
}

impl LoginIdentifier {
    /// The lock-out key: the case-folded identifier, whether or not an account exists.
    fn lockout_key(&self) -> String {
        match self {
            Self::Email(e) => format!("email:{e}"),
            Self::Username(u) => format!("username:{u}"),
        }
    }
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown identifier, wrong password or password-less account: one answer.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The password is right but the address is not verified yet (only with
    /// `REQUIRE_EMAIL_VERIFICATION`).
    #[error("email not verified")]
    EmailNotVerified,
    /// The password is right and a second factor is required: finish with
    /// `POST /auth/mfa` and this token.
    #[error("mfa required")]
    MfaRequired {
        /// Single use, 5 minutes, this device only.
        mfa_token: String,
    },
    /// Too many failures for this identifier; no password was checked.
    #[error("account locked")]
    AccountLocked {
        /// Time until the lock ends (for `Retry-After`).
        retry_after: TimeSpan,
    },
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(LoginError);

impl AuthService {
    /// Checks credentials and starts a session.
    ///
    /// # Errors
    /// [`LoginError`].
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        identifier: LoginIdentifier,
        password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<IssuedSession, LoginError> {
        let key = identifier.lockout_key();
        let now = self.deps.clock.now();
        if let Some(until) = self.deps.lockout.locked_until(&key, now).await? {
            crate::counters::login("locked");
            return Err(LoginError::AccountLocked {
                retry_after: until - now,
            });
        }
        let user = match &identifier {
            LoginIdentifier::Email(email) => self.deps.users.find_by_email(email).await?,
            LoginIdentifier::Username(username) => {
                self.deps.users.find_by_username(username).await?
            }
        };
        let user = match self.check_password(user.as_ref(), &password).await? {
            Some(user) => user,
            None => {
                let user_id = user.as_ref().map(|u| u.id);
                self.audit(
                    AuditEventType::LoginFailed,
                    user_id,
                    None,
                    client,
                    no_details(),
                )
                .await;
                if let Some(until) = self
                    .deps
                    .lockout
                    .record_failure(&key, self.policy.lockout, now)
                    .await?
                {
                    tracing::warn!(until = %until, "login identifier locked after repeated failures");
                    crate::counters::lockout();
                    self.audit(
                        AuditEventType::AccountLocked,
                        user_id,
                        None,
                        client,
                        no_details(),
                    )
                    .await;
                }
                crate::counters::login("failure");
                return Err(LoginError::InvalidCredentials);
            }
        };
        if self.policy.require_email_verification && !user.email_verified {
            crate::counters::login("unverified");
            return Err(LoginError::EmailNotVerified);
        }
        if user.mfa_enabled {
            let mfa_token = self.issue_mfa_token(&user, client).await?;
            crate::counters::login("mfa_required");
            return Err(LoginError::MfaRequired { mfa_token });
        }
        // Only a complete login (both factors) resets the failure count.
        self.deps.lockout.clear(&key).await?;
        let issued = self.start_session(user, client).await?;
        crate::counters::login("success");
        self.audit(
            AuditEventType::LoginSucceeded,
            Some(issued.user.id),
            None,
            client,
            format!(r#"{{"session_id":"{}"}}"#, issued.session_id),
        )
        .await;
        Ok(issued)
    }

    /// Verifies `password` for `user`, doing the same hashing work when there is no
    /// user, no password, or a password bcrypt could not hold. Returns the user (its
    /// hash upgraded when weaker than the configured cost) when the password matches.
    pub(crate) async fn check_password(
        &self,
        user: Option<&User>,
        password: &PlainPassword,
    ) -> Result<Option<User>, Failure> {
        let stored = user.and_then(|u| u.password_hash.as_ref());
        let fits = password.fits_hasher();
        let placeholder;
        let (candidate, stored) = if fits {
            (password, stored)
        } else {
            // Over-long or NUL: it can match nothing we store, but costs the same.
            placeholder = PlainPassword::new_unchecked("placeholder-password".to_owned());
            (&placeholder, None)
        };
        let check = self.deps.hasher.verify(candidate, stored).await?;
        let Some(user) = user.filter(|_| check.matches && fits) else {
            return Ok(None);
        };
        let mut user = user.clone();
        if check.needs_rehash {
            match self.deps.hasher.hash(password).await {
                Ok(hash) => {
                    user.password_hash = Some(hash);
                    user.updated_at = self.deps.clock.now();
                    if let Err(err) = self.deps.users.update(&user).await {
                        tracing::warn!(error = ?err, user_id = %user.id, "could not store an upgraded password hash");
                    }
                }
                Err(err) => tracing::warn!(error = ?err, "could not upgrade a password hash"),
            }
        }
        Ok(Some(user))
    }
}
