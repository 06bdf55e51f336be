//! Outgoing mail, as the use cases hand it to the `Mailer` port.

use crate::user::Email;

/// One message, already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// What the service tells a user by mail, before any template is applied. Links are
/// built by the core from `PUBLIC_URL` only. `Debug` hides the links (they carry
/// single-use tokens).
#[derive(Clone, PartialEq, Eq)]
pub enum Notice {
    /// A password-reset link.
    PasswordReset {
        /// `{PUBLIC_URL}/reset-password?token=…`
        link: String,
        /// Lifetime of the link.
        expires_in: crate::TimeSpan,
    },
    /// An email-verification link.
    EmailVerification {
        /// `{PUBLIC_URL}/verify-email?token=…`
        link: String,
        /// Lifetime of the link.
        expires_in: crate::TimeSpan,
    },
    /// The password was changed or reset: "if this wasn't you…".
    PasswordChanged,
    /// Someone tried to register this (existing) address.
    AccountExists {
        /// Where to log in or reset the password.
        login_link: String,
    },
}

/// A rendered message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    /// Outbox id.
    pub id: uuid::Uuid,
    /// The message.
    pub mail: OutgoingMail,
    /// Delivery attempts so far.
    pub attempts: u32,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PasswordReset { expires_in, .. } => write!(
                f,
                "PasswordReset {{ link: [REDACTED], expires_in: {expires_in} }}"
            ),
            Self::EmailVerification { expires_in, .. } => {
                write!(
                    f,
                    "EmailVerification {{ link: [REDACTED], expires_in: {expires_in} }}"
                )
            }
            Self::PasswordChanged => f.write_str("PasswordChanged"),
            Self::AccountExists { login_link } => {
                write!(f, "AccountExists {{ login_link: {login_link} }}")
            }
        }
    }
}
