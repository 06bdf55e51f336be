//! `MailMessage`: what the product sends, with the values its templates receive.

use std::fmt;

use minijinja::{Value, context};
use portcullis_domain::Email;

/// One message the product sends, with its values. Links arrive fully built (from
/// `PUBLIC_URL`) and are rendered verbatim in the plain-text part and HTML-escaped in the
/// HTML part. Every template also receives `email`, the recipient's address.
///
/// `Debug` leaves the links out: they carry single-use tokens.
#[derive(Clone, PartialEq, Eq)]
pub enum MailMessage {
    /// Template `password_reset`: `link` to the reset page, valid `expires_in_minutes`.
    PasswordReset {
        /// `{PUBLIC_URL}/reset-password?token=…`
        link: String,
        /// Lifetime of the link (`RESET_TOKEN_TTL`), in minutes.
        expires_in_minutes: u64,
    },
    /// Template `email_verification`: `link` that confirms the address, valid
    /// `expires_in_hours`.
    EmailVerification {
        /// `{PUBLIC_URL}/verify-email?token=…`
        link: String,
        /// Lifetime of the link, in hours.
        expires_in_hours: u64,
    },
    /// Template `password_changed`: a security notice after a reset or change of password
    /// ("if this wasn't you, reset your password"). No values besides `email`.
    PasswordChanged,
    /// Template `account_exists`: someone tried to register an address that already has an
    /// account (when email verification is required, so the answer cannot tell).
    AccountExists {
        /// Where to sign in (and find "Forgot password").
        login_link: String,
    },
}

impl MailMessage {
    /// Every template name, in the order of the variants.
    pub const NAMES: [&'static str; 4] = [
        "password_reset",
        "email_verification",
        "password_changed",
        "account_exists",
    ];

    /// The template name: files `<name>.subject`, `<name>.txt` and `<name>.html`.
    pub fn template_name(&self) -> &'static str {
        match self {
            Self::PasswordReset { .. } => Self::NAMES[0],
            Self::EmailVerification { .. } => Self::NAMES[1],
            Self::PasswordChanged => Self::NAMES[2],
            Self::AccountExists { .. } => Self::NAMES[3],
        }
    }

    /// The values the templates see.
    pub(super) fn context(&self, to: &Email) -> Value {
        let email = to.as_str();
        match self {
            Self::PasswordReset {
                link,
                expires_in_minutes,
            } => {
                context! { email, link => link.as_str(), expires_in_minutes => *expires_in_minutes }
            }
            Self::EmailVerification {
                link,
                expires_in_hours,
            } => context! { email, link => link.as_str(), expires_in_hours => *expires_in_hours },
            Self::PasswordChanged => context! { email },
            Self::AccountExists { login_link } => {
                context! { email, login_link => login_link.as_str() }
            }
        }
    }

    /// One message of each kind, to try templates out at load time.
    pub(super) fn samples() -> [Self; 4] {
        let link = |path: &str| format!("https://portcullis.example/{path}?token=sample&check=1");
        [
            Self::PasswordReset {
                link: link("reset-password"),
                expires_in_minutes: 60,
            },
            Self::EmailVerification {
                link: link("verify-email"),
                expires_in_hours: 24,
            },
            Self::PasswordChanged,
            Self::AccountExists {
                login_link: "https://portcullis.example/login".to_owned(),
            },
        ]
    }
}

impl fmt::Debug for MailMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PasswordReset {
                expires_in_minutes, ..
            } => f
                .debug_struct("PasswordReset")
                .field("link", &"[redacted]")
                .field("expires_in_minutes", expires_in_minutes)
                .finish(),
            Self::EmailVerification {
                expires_in_hours, ..
            } => f
                .debug_struct("EmailVerification")
                .field("link", &"[redacted]")
                .field("expires_in_hours", expires_in_hours)
                .finish(),
            Self::PasswordChanged => f.write_str("PasswordChanged"),
            Self::AccountExists { .. } => f
                .debug_struct("AccountExists")
                .field("login_link", &"[redacted]")
                .finish(),
        }
    }
}
