//! Response bodies: the User object of SPEC §1, sessions, token answers. Request
//! bodies live beside their handlers.

use chrono::SecondsFormat;
use portcullis_core::{IssuedSession, SessionView};
use portcullis_domain::{Timestamp, User};
use serde::{Deserialize, Serialize};

/// RFC 3339, UTC, `Z`, millisecond precision.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The User object (SPEC §1). There is no field for the password hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserResponse {
    /// UUID v7.
    #[schema(format = Uuid)]
    id: String,
    /// Unique, lower-cased.
    #[schema(format = Email)]
    email: String,
    /// Unique, lower-cased; `null` when the account has none.
    #[schema(pattern = "^[a-z0-9_.-]{3,32}$")]
    username: Option<String>,
    /// Display name.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// `user` or `admin`.
    #[schema(value_type = crate::openapi::schemas::RoleName)]
    role: &'static str,
    /// Whether the owner proved the address.
    email_verified: bool,
    /// Whether login asks for a TOTP code.
    mfa_enabled: bool,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    created_at: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    updated_at: String,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.to_string(),
            username: u.username.as_ref().map(ToString::to_string),
            name: u.name.as_str().to_owned(),
            role: u.role.as_str(),
            email_verified: u.email_verified,
            mfa_enabled: u.mfa_enabled,
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
        }
    }
}

/// `{user}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserEnvelope {
    user: UserResponse,
}

impl From<&User> for UserEnvelope {
    fn from(u: &User) -> Self {
        Self { user: u.into() }
    }
}

/// How the client wants its tokens (`token_delivery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenDelivery {
    /// HttpOnly cookies (browsers; default).
    #[default]
    Cookie,
    /// In the JSON body (native apps).
    Body,
}

/// The answer of register, login and refresh. Tokens appear only in body mode.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionResponse {
    /// The signed-in account.
    user: UserResponse,
    /// The session these tokens belong to.
    #[schema(format = Uuid)]
    session_id: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    expires_in: i64,
    /// The access token (JWT); only with `token_delivery: body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    /// The single-use refresh token; only with `token_delivery: body` (or a refresh
    /// presented in the body).
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// `Bearer`; only with the tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Bearer")]
    token_type: Option<&'static str>,
}

impl SessionResponse {
    /// Builds the body for a delivery mode.
    pub fn new(issued: &IssuedSession, delivery: TokenDelivery) -> Self {
        let in_body = delivery == TokenDelivery::Body;
        Self {
            user: (&issued.user).into(),
            session_id: issued.session_id.to_string(),
            expires_in: issued.access_expires_in.num_seconds(),
            access_token: in_body.then(|| issued.access_token.expose().to_owned()),
            refresh_token: in_body.then(|| issued.refresh_token.expose().to_owned()),
            token_type: in_body.then_some("Bearer"),
        }
    }
}

/// One row of `GET /auth/sessions`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionItem {
    /// Session id.
    #[schema(format = Uuid)]
    id: String,
    /// RFC 3339, UTC.
    #[schema(format = DateTime)]
    created_at: String,
    /// Last refresh (RFC 3339, UTC).
    #[schema(format = DateTime)]
    last_used_at: String,
    /// End of the absolute lifetime (RFC 3339, UTC).
    #[schema(format = DateTime)]
    expires_at: String,
    /// User-Agent of the device that signed in.
    user_agent: Option<String>,
    /// Client IP at sign-in.
    ip: Option<String>,
    /// Whether this is the session of the access token used for the request.
    current: bool,
}

impl From<&SessionView> for SessionItem {
    fn from(v: &SessionView) -> Self {
        let s = &v.session;
        Self {
            id: s.id.to_string(),
            created_at: rfc3339(s.created_at),
            last_used_at: rfc3339(s.last_used_at),
            expires_at: rfc3339(s.expires_at),
            user_agent: s.user_agent.clone(),
            ip: s.ip.map(|ip| ip.to_string()),
            current: v.current,
        }
    }
}

/// `{sessions: [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionList {
    /// Active sessions, newest first.
    pub sessions: Vec<SessionItem>,
}
