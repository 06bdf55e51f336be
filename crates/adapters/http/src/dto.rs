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
#[derive(Debug, Serialize)]
pub struct UserResponse {
    id: String,
    email: String,
    username: Option<String>,
    name: String,
    role: &'static str,
    email_verified: bool,
    mfa_enabled: bool,
    created_at: String,
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
#[derive(Debug, Serialize)]
pub struct UserEnvelope {
    user: UserResponse,
}

impl From<&User> for UserEnvelope {
    fn from(u: &User) -> Self {
        Self { user: u.into() }
    }
}

/// How the client wants its tokens (`token_delivery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenDelivery {
    /// HttpOnly cookies (browsers; default).
    #[default]
    Cookie,
    /// In the JSON body (native apps).
    Body,
}

/// The answer of register, login and refresh. Tokens appear only in body mode.
#[derive(Debug, Serialize)]
pub struct SessionResponse {
    user: UserResponse,
    session_id: String,
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
#[derive(Debug, Serialize)]
pub struct SessionItem {
    id: String,
    created_at: String,
    last_used_at: String,
    expires_at: String,
    user_agent: Option<String>,
    ip: Option<String>,
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
#[derive(Debug, Serialize)]
pub struct SessionList {
    /// Active sessions, newest first.
    pub sessions: Vec<SessionItem>,
}
