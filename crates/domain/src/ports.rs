//! The ports: every way the core reaches the outside world.
//!
//! Each trait is `Send + Sync + 'static`, held as `Arc<dyn Port>`, and (with the `mock`
//! feature) has a mockall mock named `Mock<Trait>`. Each method documents its contract;
//! the shared contract suites in the adapters' tests check every clause against every
//! adapter.

pub mod audit_log;
pub mod codec;
pub mod deny_list;
pub mod hasher;
pub mod lockout;
pub mod mailer;
pub mod mfa_repository;
pub mod notifier;
pub mod oauth;
pub mod oauth_state;
pub mod one_time_tokens;
pub mod rate_limiter;
pub mod refresh_tokens;
pub mod sealer;
pub mod session_repository;
pub mod system;
pub mod user_repository;

pub use audit_log::AuditLog;
pub use codec::{AccessTokenCodec, InvalidAccessToken};
pub use deny_list::SessionDenyList;
pub use hasher::{HashError, PasswordCheck, PasswordHasher};
pub use lockout::{LockoutPolicy, LockoutStore};
pub use mailer::{MailError, Mailer};
pub use mfa_repository::MfaRepository;
pub use notifier::{MailOutbox, Notifier};
pub use oauth::{OAuthError, OAuthIdentityRepository, OAuthProvider};
pub use oauth_state::{OAuthStateRecord, OAuthStateStore};
pub use one_time_tokens::{OneTimeToken, OneTimeTokenRepository, TokenPurpose};
pub use rate_limiter::{RateLimitDecision, RateLimitPolicy, RateLimiter};
pub use refresh_tokens::{NewFamily, RefreshTokenStore, Rotation, RotationVerdict};
pub use sealer::SecretSealer;
pub use session_repository::SessionRepository;
pub use system::{Clock, IdGenerator, SecureRandom};
pub use user_repository::{UserListQuery, UserRepository, UserWriteError};

#[cfg(feature = "mock")]
pub use self::{
    audit_log::MockAuditLog,
    codec::MockAccessTokenCodec,
    deny_list::MockSessionDenyList,
    hasher::MockPasswordHasher,
    lockout::MockLockoutStore,
    mailer::MockMailer,
    mfa_repository::MockMfaRepository,
    oauth::{MockOAuthIdentityRepository, MockOAuthProvider},
    oauth_state::MockOAuthStateStore,
    one_time_tokens::MockOneTimeTokenRepository,
    rate_limiter::MockRateLimiter,
    refresh_tokens::MockRefreshTokenStore,
    sealer::MockSecretSealer,
    session_repository::MockSessionRepository,
    system::{MockClock, MockIdGenerator, MockSecureRandom},
    user_repository::MockUserRepository,
};
