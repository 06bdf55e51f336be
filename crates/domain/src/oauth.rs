//! Social login: what a provider says about a user, and the stored link to a local
//! account.

use std::fmt;

use crate::Timestamp;
use crate::user::{Email, UserId};

mod secrets;

pub use secrets::{OAuthDigest, PkceVerifier, encode_random};

/// A supported identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderName {
    /// Google (OpenID Connect userinfo).
    Google,
    /// GitHub (`/user` and `/user/emails`).
    Github,
}

impl ProviderName {
    /// Parses a path segment: `google` or `github`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "google" => Some(Self::Google),
            "github" => Some(Self::Github),
            _ => None,
        }
    }

    /// The path and storage form.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Github => "github",
        }
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider's profile, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProfile {
    /// Which provider.
    pub provider: ProviderName,
    /// The provider's stable user id (never the email).
    pub subject: String,
    /// The address the provider reports, if any.
    pub email: Option<Email>,
    /// Whether the provider says the address is verified.
    pub email_verified: bool,
    /// Display name, if any.
    pub name: Option<String>,
}

/// The link between a provider account and a local user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthIdentity {
    /// Provider.
    pub provider: ProviderName,
    /// Provider's subject.
    pub subject: String,
    /// Local account.
    pub user_id: UserId,
    /// Provider's email at the last sign-in.
    pub email: Option<Email>,
    /// When linked.
    pub created_at: Timestamp,
}
