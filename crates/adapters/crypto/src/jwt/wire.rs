//! What travels: the JOSE header as this service accepts it, the claims as JSON, and
//! the reasons a token is refused (for the debug log only).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use jsonwebtoken::errors::ErrorKind;
use portcullis_domain::token::AccessClaims;
use portcullis_domain::{Role, SessionId, Timestamp, UserId};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest `kid` looked up; ours are 22 (HS256) or 43 (RFC 7638 thumbprint) characters.
const MAX_KID_BYTES: usize = 64;

/// Why a token was refused. Logged at debug level, never shown to the client, and never
/// carrying any part of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum Refusal {
    #[error("token longer than 8 KiB")]
    TooLong,
    #[error("not a compact JWS of three base64url segments")]
    NotCompactJws,
    #[error("header is not valid JSON of the accepted parameters")]
    BadHeader,
    #[error("header carries a key or key location (jku, jwk, x5u, x5c)")]
    KeyBearingHeader,
    #[error("header typ is not JWT")]
    WrongType,
    #[error("header has no kid")]
    MissingKid,
    #[error("unknown kid")]
    UnknownKid,
    #[error("algorithm not allowed for this key")]
    AlgorithmNotAllowed,
    #[error("bad signature")]
    BadSignature,
    #[error("a segment is not base64url, or header or claims are not JSON of the expected shape")]
    Malformed,
    #[error("a required claim is missing or not a number")]
    MissingClaim,
    #[error("wrong issuer")]
    WrongIssuer,
    #[error("wrong audience")]
    WrongAudience,
    #[error("refused by the JWT library for another reason")]
    OtherLibraryError,
    #[error("expired beyond the leeway")]
    Expired,
    #[error("not valid yet (nbf beyond the leeway)")]
    NotYetValid,
    #[error("issued in the future (iat beyond the leeway)")]
    IssuedInFuture,
    #[error("sub is not a user id")]
    BadSubject,
    #[error("sid is not a session id")]
    BadSession,
    #[error("role is not a known role")]
    BadRole,
    #[error("jti is not a UUID")]
    BadTokenId,
    #[error("a date is out of range")]
    BadTimestamp,
}

impl Refusal {
    /// Classifies a jsonwebtoken failure without keeping its message, which may quote
    /// token content.
    pub(super) fn from_library(kind: &ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidSignature => Self::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => Self::AlgorithmNotAllowed,
            ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                Self::MissingClaim
            }
            ErrorKind::InvalidIssuer => Self::WrongIssuer,
            ErrorKind::InvalidAudience => Self::WrongAudience,
            ErrorKind::Base64(_) | ErrorKind::Utf8(_) | ErrorKind::Json(_) => Self::Malformed,
            _ => Self::OtherLibraryError,
        }
    }
}

/// The header parameters this service issues. Any other parameter fails parsing
/// (`deny_unknown_fields`), and so does a repeated one, so the header cannot say one
/// thing to this check and another to the library. The key-bearing parameters are
/// named only to refuse them with a precise reason.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    jku: Option<IgnoredAny>,
    #[serde(default)]
    jwk: Option<IgnoredAny>,
    #[serde(default)]
    x5u: Option<IgnoredAny>,
    #[serde(default)]
    x5c: Option<IgnoredAny>,
}

/// A header that passed the shape checks; the codec still checks `alg` and `kid`
/// against its keys.
#[derive(Debug)]
pub(super) struct CheckedHeader {
    pub(super) alg: String,
    pub(super) kid: String,
}

/// Checks the token's shape and header before any signature work.
pub(super) fn parse_header(token: &str) -> Result<CheckedHeader, Refusal> {
    let segments: Vec<&str> = token.split('.').collect();
    let is_b64url = |s: &&str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let [header, _, _] = segments.as_slice() else {
        return Err(Refusal::NotCompactJws);
    };
    if !segments.iter().all(is_b64url) {
        return Err(Refusal::NotCompactJws);
    }
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Refusal::NotCompactJws)?;
    let raw: RawHeader = serde_json::from_slice(&json).map_err(|_| Refusal::BadHeader)?;
    if raw.jku.is_some() || raw.jwk.is_some() || raw.x5u.is_some() || raw.x5c.is_some() {
        return Err(Refusal::KeyBearingHeader);
    }
    if raw.typ.as_deref() != Some("JWT") {
        return Err(Refusal::WrongType);
    }
    let kid = raw.kid.ok_or(Refusal::MissingKid)?;
    if kid.is_empty() || kid.len() > MAX_KID_BYTES {
        return Err(Refusal::UnknownKid);
    }
    Ok(CheckedHeader { alg: raw.alg, kid })
}

/// The claims on the wire (numeric dates in seconds since the epoch).
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireClaims {
    iss: String,
    aud: String,
    sub: String,
    sid: String,
    role: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
}

impl WireClaims {
    pub(super) fn from_access_claims(claims: &AccessClaims, issuer: &str, audience: &str) -> Self {
        let iat = claims.issued_at.timestamp();
        Self {
            iss: issuer.to_owned(),
            aud: audience.to_owned(),
            sub: claims.user_id.to_string(),
            sid: claims.session_id.to_string(),
            role: claims.role.as_str().to_owned(),
            iat,
            nbf: iat,
            exp: claims.expires_at.timestamp(),
            jti: claims.token_id.to_string(),
        }
    }

    /// Checks the time claims against `now` (with `leeway` seconds either way) and
    /// parses the rest into domain values. `iss` and `aud` were checked by the library.
    pub(super) fn into_access_claims(
        self,
        now: Timestamp,
        leeway: i64,
    ) -> Result<AccessClaims, Refusal> {
        let now = now.timestamp();
        // RFC 7519 §4.1.4: not accepted on or after `exp`.
        if self.exp.saturating_add(leeway) <= now {
            return Err(Refusal::Expired);
        }
        if self.nbf.saturating_sub(leeway) > now {
            return Err(Refusal::NotYetValid);
        }
        if self.iat.saturating_sub(leeway) > now {
            return Err(Refusal::IssuedInFuture);
        }
        Ok(AccessClaims {
            user_id: UserId::parse(&self.sub).ok_or(Refusal::BadSubject)?,
            session_id: SessionId::parse(&self.sid).ok_or(Refusal::BadSession)?,
            role: Role::parse(&self.role).map_err(|_| Refusal::BadRole)?,
            issued_at: DateTime::from_timestamp(self.iat, 0).ok_or(Refusal::BadTimestamp)?,
            expires_at: DateTime::from_timestamp(self.exp, 0).ok_or(Refusal::BadTimestamp)?,
            token_id: Uuid::try_parse(&self.jti).map_err(|_| Refusal::BadTokenId)?,
        })
    }
}
