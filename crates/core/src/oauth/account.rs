//! Find or create the local account of a provider account: by (provider, subject)
//! only, never by email alone; a link to an existing account by email only when both
//! the provider and the account say the address is verified.

use portcullis_domain::oauth::{OAuthIdentity, OAuthProfile};
use portcullis_domain::ports::UserWriteError;
use portcullis_domain::{AuditEventType, ClientInfo, DisplayName, Email, Role, User};

use super::OAuthSetup;
use crate::error::Failure;
use crate::service::AuthService;

/// Why a provider account cannot sign in to a local one.
#[derive(Debug, thiserror::Error)]
pub enum AccountRefusal {
    /// No account is linked and the provider gave no usable address to create one.
    #[error("the provider gave no email address")]
    EmailRequired,
    /// An account has this address, but the provider's address or the account's is
    /// not verified: linking could hand the account to whoever controls the other
    /// side (pre-account takeover).
    #[error("an account with this email exists and cannot be linked")]
    AccountExistsUnverified,
    /// A dependency failed.
    #[error(transparent)]
    Failure(#[from] Failure),
}

impl AccountRefusal {
    /// The `?error=` code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmailRequired => "email_required",
            Self::AccountExistsUnverified => "account_exists_unverified",
            Self::Failure(f) => super::failure_code(f),
        }
    }
}

impl From<portcullis_domain::StoreError> for AccountRefusal {
    fn from(e: portcullis_domain::StoreError) -> Self {
        Self::Failure(Failure::Store(e))
    }
}

impl AuthService {
    /// The account `profile` signs in to, linking or creating it as the rules allow.
    pub(super) async fn oauth_account(
        &self,
        setup: &OAuthSetup,
        profile: &OAuthProfile,
        client: &ClientInfo,
    ) -> Result<User, AccountRefusal> {
        if let Some(identity) = setup
            .identities
            .find(profile.provider, &profile.subject)
            .await?
        {
            if let Some(user) = self.deps.users.find_by_id(identity.user_id).await? {
                // The provider's address may have changed: the link is by subject.
                return Ok(user);
            }
            // The account is gone but an in-process store kept its link.
            setup
                .identities
                .unlink(identity.user_id, identity.provider)
                .await?;
        }
        let email = profile.email.clone().ok_or(AccountRefusal::EmailRequired)?;
        if let Some(user) = self.deps.users.find_by_email(&email).await? {
            if !(profile.email_verified && user.email_verified) {
                return Err(AccountRefusal::AccountExistsUnverified);
            }
            return self.link_existing(setup, profile, user, client).await;
        }
        self.create_oauth_user(setup, profile, email, client).await
    }

    async fn link_existing(
        &self,
        setup: &OAuthSetup,
        profile: &OAuthProfile,
        user: User,
        client: &ClientInfo,
    ) -> Result<User, AccountRefusal> {
        if !setup
            .identities
            .link(&self.identity(profile, &user))
            .await?
        {
            // The same provider account was linked concurrently: follow that link.
            return self.linked_user(setup, profile).await;
        }
        self.audit_link(profile, &user, client).await;
        Ok(user)
    }

    async fn create_oauth_user(
        &self,
        setup: &OAuthSetup,
        profile: &OAuthProfile,
        email: Email,
        client: &ClientInfo,
    ) -> Result<User, AccountRefusal> {
        let now = self.deps.clock.now();
        let user = User {
            id: self.deps.ids.user_id(),
            name: display_name(profile.name.as_deref(), &email)?,
            email,
            username: None,
            role: Role::User,
            email_verified: profile.email_verified,
            mfa_enabled: false,
            password_hash: None,
            created_at: now,
            updated_at: now,
        };
        match self.deps.users.insert(&user).await {
            Ok(()) => {}
            // Registered concurrently under this address: never link by a race.
            Err(UserWriteError::EmailTaken) => return Err(AccountRefusal::AccountExistsUnverified),
            Err(UserWriteError::Store(e)) => return Err(e.into()),
            Err(other) => {
                return Err(Failure::Internal(anyhow::anyhow!("insert: {other}")).into());
            }
        }
        if !setup
            .identities
            .link(&self.identity(profile, &user))
            .await?
        {
            // Another request created the account of this provider account first.
            if let Err(err) = self.deps.users.delete(user.id).await {
                tracing::error!(error = ?err, user_id = %user.id, "could not remove a duplicate OAuth account");
            }
            return self.linked_user(setup, profile).await;
        }
        tracing::info!(user_id = %user.id, provider = %profile.provider, "account created through oauth");
        crate::counters::registration();
        self.audit(
            AuditEventType::UserCreated,
            Some(user.id),
            None,
            client,
            format!(r#"{{"via":"oauth","provider":"{}"}}"#, profile.provider),
        )
        .await;
        self.audit_link(profile, &user, client).await;
        Ok(user)
    }

    async fn linked_user(
        &self,
        setup: &OAuthSetup,
        profile: &OAuthProfile,
    ) -> Result<User, AccountRefusal> {
        let identity = setup
            .identities
            .find(profile.provider, &profile.subject)
            .await?;
        match identity {
            Some(identity) => self
                .deps
                .users
                .find_by_id(identity.user_id)
                .await?
                .ok_or_else(|| {
                    Failure::Internal(anyhow::anyhow!("linked account vanished")).into()
                }),
            None => Err(Failure::Internal(anyhow::anyhow!("link refused but none found")).into()),
        }
    }

    fn identity(&self, profile: &OAuthProfile, user: &User) -> OAuthIdentity {
        OAuthIdentity {
            provider: profile.provider,
            subject: profile.subject.clone(),
            user_id: user.id,
            email: profile.email.clone(),
            created_at: self.deps.clock.now(),
        }
    }

    async fn audit_link(&self, profile: &OAuthProfile, user: &User, client: &ClientInfo) {
        self.audit(
            AuditEventType::OauthLinked,
            Some(user.id),
            Some(user.id),
            client,
            format!(r#"{{"provider":"{}"}}"#, profile.provider),
        )
        .await;
    }
}

/// The provider's name when it is a valid display name, else the address's local part.
fn display_name(name: Option<&str>, email: &Email) -> Result<DisplayName, Failure> {
    name.and_then(|n| DisplayName::parse(n).ok())
        .or_else(|| DisplayName::parse(email.local_part()).ok())
        .map_or_else(
            || DisplayName::parse("User").map_err(|e| Failure::Internal(e.into())),
            Ok,
        )
}
