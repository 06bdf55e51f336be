//! The knobs of the auth flows (SPEC §2, §6, §7), already parsed by the server.

use portcullis_domain::ports::LockoutPolicy;
use portcullis_domain::{DeviceBinding, TimeSpan};

/// Every policy value the use cases read. Built by the server from the environment.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// `ACCESS_TOKEN_TTL` (15 min).
    pub access_ttl: TimeSpan,
    /// `REFRESH_TOKEN_TTL`, sliding (168 h).
    pub refresh_ttl: TimeSpan,
    /// `SESSION_ABSOLUTE_TTL` (720 h).
    pub session_absolute_ttl: TimeSpan,
    /// `REFRESH_REUSE_GRACE` (3 s); zero disables the window.
    pub reuse_grace: TimeSpan,
    /// `MAX_ACTIVE_REFRESH_TOKENS_PER_USER` (10).
    pub max_sessions: u32,
    /// `DEVICE_BINDING` (`ua`).
    pub device_binding: DeviceBinding,
    /// `LOGIN_LOCKOUT_*` (10 failures in 15 min lock for 15 min).
    pub lockout: LockoutPolicy,
    /// `JWT_LEEWAY` (30 s): a revoked session stays on the deny-list this much longer
    /// than the access-token lifetime.
    pub jwt_leeway: TimeSpan,
    /// `PUBLIC_URL`, without a trailing slash: the only base of links in mail.
    pub public_url: String,
    /// `RESET_TOKEN_TTL` (1 h).
    pub reset_ttl: TimeSpan,
    /// Lifetime of an email-verification link (24 h).
    pub verification_ttl: TimeSpan,
    /// `REQUIRE_EMAIL_VERIFICATION` (false): registration starts no session and login
    /// waits for a verified address.
    pub require_email_verification: bool,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            access_ttl: TimeSpan::minutes(15),
            refresh_ttl: TimeSpan::hours(168),
            session_absolute_ttl: TimeSpan::hours(720),
            reuse_grace: TimeSpan::seconds(3),
            max_sessions: 10,
            device_binding: DeviceBinding::Ua,
            lockout: LockoutPolicy {
                threshold: 10,
                window: TimeSpan::minutes(15),
                duration: TimeSpan::minutes(15),
            },
            jwt_leeway: TimeSpan::seconds(30),
            public_url: "http://localhost:8080".to_owned(),
            reset_ttl: TimeSpan::hours(1),
            verification_ttl: TimeSpan::hours(24),
            require_email_verification: false,
        }
    }
}

impl AuthPolicy {
    /// How long a revoked session must stay denied: until every access token it could
    /// have been issued has expired, leeway included.
    pub fn deny_ttl(&self) -> TimeSpan {
        self.access_ttl + self.jwt_leeway
    }
}
