//! Security-relevant events, recorded by the use cases and read by admins.

use std::net::IpAddr;

use uuid::Uuid;

use crate::Timestamp;
use crate::user::UserId;

/// An audit event's identifier (UUID v7, so ids sort by time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuditId(pub Uuid);

/// The event types of SPEC §5 (`GET /admin/audit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(missing_docs, reason = "each variant is its wire name")]
pub enum AuditEventType {
    LoginSucceeded,
    LoginFailed,
    AccountLocked,
    TokenRefreshed,
    RefreshTokenReused,
    DeviceMismatch,
    Logout,
    SessionRevoked,
    SessionEvicted,
    PasswordChanged,
    PasswordReset,
    EmailVerified,
    RoleChanged,
    UserCreated,
    UserUpdated,
    UserDeleted,
    MfaEnabled,
    MfaDisabled,
    OauthLinked,
    OauthUnlinked,
}

impl AuditEventType {
    /// Every type, in the order SPEC §5 lists them.
    pub const ALL: [Self; 20] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::AccountLocked,
        Self::TokenRefreshed,
        Self::RefreshTokenReused,
        Self::DeviceMismatch,
        Self::Logout,
        Self::SessionRevoked,
        Self::SessionEvicted,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::EmailVerified,
        Self::RoleChanged,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::MfaEnabled,
        Self::MfaDisabled,
        Self::OauthLinked,
        Self::OauthUnlinked,
    ];

    /// The wire and storage name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::AccountLocked => "account_locked",
            Self::TokenRefreshed => "token_refreshed",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::DeviceMismatch => "device_mismatch",
            Self::Logout => "logout",
            Self::SessionRevoked => "session_revoked",
            Self::SessionEvicted => "session_evicted",
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::EmailVerified => "email_verified",
            Self::RoleChanged => "role_changed",
            Self::UserCreated => "user_created",
            Self::UserUpdated => "user_updated",
            Self::UserDeleted => "user_deleted",
            Self::MfaEnabled => "mfa_enabled",
            Self::MfaDisabled => "mfa_disabled",
            Self::OauthLinked => "oauth_linked",
            Self::OauthUnlinked => "oauth_unlinked",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One recorded event. `details` is a small JSON object as text; it never holds a
/// secret (password, token, hash, cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Identifier, time-ordered.
    pub id: AuditId,
    /// What happened.
    pub kind: AuditEventType,
    /// When.
    pub at: Timestamp,
    /// The account the event is about (kept even after the account is deleted).
    pub user_id: Option<UserId>,
    /// Who did it, when not the subject themself (an admin).
    pub actor_id: Option<UserId>,
    /// Client IP of the request.
    pub ip: Option<IpAddr>,
    /// User-Agent of the request.
    pub user_agent: Option<String>,
    /// A JSON object with event-specific, non-secret details.
    pub details: String,
}

/// What `AuditLog::list` returns: filters and keyset pagination.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Only events about this user.
    pub user_id: Option<UserId>,
    /// Only events of this type.
    pub kind: Option<AuditEventType>,
    /// Only events older than this id (the previous page's last id).
    pub before: Option<AuditId>,
    /// Page size, 1–100.
    pub limit: u32,
}
