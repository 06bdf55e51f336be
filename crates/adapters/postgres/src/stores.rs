//! Every Postgres repository on one pool, for the composition root.

use std::sync::Arc;

use portcullis_domain::ports::{
    AuditLog, MfaRepository, OAuthIdentityRepository, OneTimeTokenRepository, SessionRepository,
    UserRepository,
};

use crate::pool::PgPool;
use crate::{
    PgAuditLog, PgMfaRepository, PgOAuthIdentities, PgOneTimeTokens, PgSessionRepository,
    PgUserRepository,
};

/// The repositories this crate implements, sharing one pool, as the port objects the
/// core takes.
#[derive(Clone)]
pub struct PgStores {
    /// `UserRepository`.
    pub users: Arc<dyn UserRepository>,
    /// `SessionRepository`.
    pub sessions: Arc<dyn SessionRepository>,
    /// `AuditLog`.
    pub audit: Arc<dyn AuditLog>,
    /// `OneTimeTokenRepository`.
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    /// `OAuthIdentityRepository`.
    pub oauth_identities: Arc<dyn OAuthIdentityRepository>,
    /// `MfaRepository`.
    pub mfa: Arc<dyn MfaRepository>,
    /// The pool itself, for `/health` ([`crate::ping`]) and shutdown (`close`).
    pub pool: PgPool,
}

impl PgStores {
    /// Every repository on `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self {
            users: Arc::new(PgUserRepository::new(pool.clone())),
            sessions: Arc::new(PgSessionRepository::new(pool.clone())),
            audit: Arc::new(PgAuditLog::new(pool.clone())),
            one_time_tokens: Arc::new(PgOneTimeTokens::new(pool.clone())),
            oauth_identities: Arc::new(PgOAuthIdentities::new(pool.clone())),
            mfa: Arc::new(PgMfaRepository::new(pool.clone())),
            pool,
        }
    }
}
