//! Portcullis domain: entities, value objects, per-operation errors and the port traits
//! that every adapter implements.
//!
//! This crate knows no framework: no web server, database driver, cache client, JWT or
//! bcrypt library. Values are parsed once into newtypes ("parse, don't validate"), so a
//! function holding an [`Email`] knows it is valid and lower-cased.

pub mod audit;
pub mod error;
pub mod mail;
pub mod mfa;
pub mod oauth;
pub mod password;
pub mod ports;
pub mod session;
pub mod token;
pub mod user;

pub use audit::{AuditEvent, AuditEventType, AuditFilter, AuditId};
pub use error::StoreError;
pub use mail::{Notice, OutgoingMail, QueuedMail};
pub use password::{PasswordHash, PasswordRejection, PlainPassword};
pub use session::{ClientInfo, DeviceBinding, DeviceFingerprint, RevokeReason, Session, SessionId};
pub use token::{
    AccessClaims, AccessToken, OneTimeSecret, RefreshToken, RefreshTokenHash, SealedSecret,
};
pub use user::{DisplayName, Email, NewUserError, Role, User, UserId, Username};

/// A point in time, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
/// A span of time (may be negative in arithmetic; ports take non-negative ones).
pub type TimeSpan = chrono::TimeDelta;

/// Characters that change how text is displayed without being visible: bidirectional
/// overrides and isolates. Refused in every human-readable field (display spoofing).
pub(crate) fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}
