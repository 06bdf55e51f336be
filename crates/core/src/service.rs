//! [`AuthService`]: the ports it needs and the steps every flow shares (starting a
//! session, ending sessions everywhere they live, recording audit events).

use std::sync::Arc;

use portcullis_domain::ports::{
    AccessTokenCodec, AuditLog, Clock, IdGenerator, LockoutStore, MfaRepository, NewFamily,
    Notifier, OneTimeTokenRepository, PasswordHasher, RateLimitDecision, RateLimitPolicy,
    RateLimiter, RefreshTokenStore, SecretSealer, SecureRandom, SessionDenyList, SessionRepository,
    UserRepository,
};
use portcullis_domain::{
    AccessClaims, AccessToken, AuditEvent, AuditEventType, AuditId, ClientInfo, DeviceFingerprint,
    RefreshToken, RevokeReason, Session, SessionId, StoreError, TimeSpan, User, UserId,
};

use crate::config::AuthPolicy;
use crate::error::Failure;

/// Every port the use cases reach.
#[derive(Clone)]
pub struct Deps {
    /// Accounts.
    pub users: Arc<dyn UserRepository>,
    /// Durable session state.
    pub sessions: Arc<dyn SessionRepository>,
    /// Refresh-token families.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// Revoked sessions, for the access-token check.
    pub deny_list: Arc<dyn SessionDenyList>,
    /// Failed-login counters.
    pub lockout: Arc<dyn LockoutStore>,
    /// Request budgets.
    pub limiter: Arc<dyn RateLimiter>,
    /// Password-reset and email-verification tokens.
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    /// Mail to users (queued, never awaited).
    pub notifier: Arc<dyn Notifier>,
    /// TOTP enrolments.
    pub mfa: Arc<dyn MfaRepository>,
    /// Encryption of secrets at rest (TOTP seeds).
    pub sealer: Arc<dyn SecretSealer>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access tokens.
    pub codec: Arc<dyn AccessTokenCodec>,
    /// Security events.
    pub audit: Arc<dyn AuditLog>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Identifiers.
    pub ids: Arc<dyn IdGenerator>,
    /// Randomness.
    pub random: Arc<dyn SecureRandom>,
}

/// The use cases. Cheap to clone (all ports are shared).
#[derive(Clone)]
pub struct AuthService {
    pub(crate) deps: Deps,
    pub(crate) policy: AuthPolicy,
    /// Social login, when configured (`AuthService::with_oauth`).
    pub(crate) oauth: Option<Arc<crate::oauth::OAuthSetup>>,
}

/// A freshly started (or refreshed) session: what the HTTP layer hands to the client.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// The account.
    pub user: User,
    /// The session.
    pub session_id: SessionId,
    /// Signed access token.
    pub access_token: AccessToken,
    /// Its lifetime.
    pub access_expires_in: TimeSpan,
    /// The refresh token to hand out (once).
    pub refresh_token: RefreshToken,
    /// Its sliding lifetime (cookie Max-Age).
    pub refresh_expires_in: TimeSpan,
}

impl AuthService {
    /// Builds the service.
    pub fn new(deps: Deps, policy: AuthPolicy) -> Self {
        Self {
            deps,
            policy,
            oauth: None,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &AuthPolicy {
        &self.policy
    }

    /// Counts one request against a budget (SPEC §6).
    ///
    /// # Errors
    /// A [`Failure`] when the limiter's store is unreachable; the caller applies
    /// `RATE_LIMIT_FAIL_OPEN`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rate_limit(
        &self,
        key: &str,
        policy: RateLimitPolicy,
    ) -> Result<RateLimitDecision, Failure> {
        Ok(self
            .deps
            .limiter
            .check(key, policy, self.deps.clock.now())
            .await?)
    }

    /// The JWK Set of the access-token verification keys.
    pub fn jwks_json(&self) -> String {
        self.deps.codec.jwks_json()
    }

    /// Starts a session for `user` on `client`: stores it (evicting the least recently
    /// used beyond the cap), starts its refresh-token family and signs an access token.
    pub(crate) async fn start_session(
        &self,
        user: User,
        client: &ClientInfo,
    ) -> Result<IssuedSession, Failure> {
        let now = self.deps.clock.now();
        let session = Session {
            id: self.deps.ids.session_id(),
            user_id: user.id,
            created_at: now,
            last_used_at: now,
            expires_at: now + self.policy.session_absolute_ttl,
            revoked_at: None,
            revoked_reason: None,
            user_agent: client.user_agent.clone(),
            ip: client.ip,
            fingerprint: DeviceFingerprint::of(self.policy.device_binding, client),
        };
        let refresh_token = RefreshToken::new(
            session.id,
            self.deps.random.bytes32().map_err(Failure::Internal)?,
        );
        let evicted = self
            .deps
            .sessions
            .create(&session, self.policy.max_sessions)
            .await?;
        for id in &evicted {
            self.forget_session(*id).await?;
            self.audit(
                AuditEventType::SessionEvicted,
                Some(user.id),
                None,
                client,
                format!(r#"{{"session_id":"{id}"}}"#),
            )
            .await;
        }
        let family = NewFamily {
            session_id: session.id,
            user_id: user.id,
            token: refresh_token.hash(),
            fingerprint: session.fingerprint,
            idle_ttl: self.policy.refresh_ttl,
            absolute_expiry: session.expires_at,
            now,
        };
        if let Err(err) = self.deps.refresh_tokens.issue(&family).await {
            // Never leave a session row without a token family: undo, then report.
            if let Err(undo) = self
                .deps
                .sessions
                .revoke(session.id, RevokeReason::Invalidated, now)
                .await
            {
                tracing::error!(error = %undo, session_id = %session.id, "could not undo a half-started session");
            }
            return Err(err.into());
        }
        let access_token = self.sign_access(&user, session.id)?;
        Ok(IssuedSession {
            user,
            session_id: session.id,
            access_token,
            access_expires_in: self.policy.access_ttl,
            refresh_token,
            refresh_expires_in: self.policy.refresh_ttl,
        })
    }

    /// Signs an access token for a session.
    pub(crate) fn sign_access(
        &self,
        user: &User,
        session_id: SessionId,
    ) -> Result<AccessToken, Failure> {
        let now = self.deps.clock.now();
        let claims = AccessClaims {
            user_id: user.id,
            session_id,
            role: user.role,
            issued_at: now,
            expires_at: now + self.policy.access_ttl,
            token_id: self.deps.ids.uuid(),
        };
        self.deps.codec.sign(&claims).map_err(Failure::Internal)
    }

    /// Makes an already revoked session unusable everywhere: its refresh tokens are
    /// gone and its access tokens are denied.
    pub(crate) async fn forget_session(&self, id: SessionId) -> Result<(), StoreError> {
        self.deps.refresh_tokens.revoke_family(id).await?;
        self.deps
            .deny_list
            .deny(id, self.policy.deny_ttl(), self.deps.clock.now())
            .await
    }

    /// Revokes one session (if still active) and makes it unusable everywhere.
    /// Returns whether this call revoked it.
    pub(crate) async fn end_session(
        &self,
        id: SessionId,
        reason: RevokeReason,
    ) -> Result<bool, StoreError> {
        let revoked = self
            .deps
            .sessions
            .revoke(id, reason, self.deps.clock.now())
            .await?;
        // Forget even when it was already revoked: a previous attempt may have failed
        // half-way, and forgetting is idempotent.
        self.forget_session(id).await?;
        Ok(revoked)
    }

    /// Revokes every session of a user except `keep`, everywhere.
    pub(crate) async fn end_user_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevokeReason,
    ) -> Result<Vec<SessionId>, StoreError> {
        let revoked = self
            .deps
            .sessions
            .revoke_all(user, keep, reason, self.deps.clock.now())
            .await?;
        for id in &revoked {
            self.forget_session(*id).await?;
        }
        Ok(revoked)
    }

    /// Records an audit event. A failure to record is logged, never shown to the
    /// client: the action already happened.
    pub(crate) async fn audit(
        &self,
        kind: AuditEventType,
        user_id: Option<UserId>,
        actor_id: Option<UserId>,
        client: &ClientInfo,
        details: String,
    ) {
        let event = AuditEvent {
            id: AuditId(self.deps.ids.uuid()),
            kind,
            at: self.deps.clock.now(),
            user_id,
            actor_id,
            ip: client.ip,
            user_agent: client.user_agent.clone(),
            details,
        };
        if let Err(err) = self.deps.audit.record(&event).await {
            tracing::error!(error = ?err, kind = kind.as_str(), "could not record an audit event");
        }
    }
}

/// `{}`: an audit event without details.
pub(crate) fn no_details() -> String {
    "{}".to_owned()
}
