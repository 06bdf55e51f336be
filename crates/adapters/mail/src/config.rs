//! Start-up errors of the mailers, and the sender mailbox they share.
//!
//! Errors policy: a configuration error names the setting and what is wrong with it, and
//! never echoes the SMTP URL (it may hold a password). They happen at start-up only.

use std::path::PathBuf;

use lettre::message::Mailbox;

/// A mailer could not be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// The SMTP URL does not parse as a URL.
    #[error("SMTP URL: not a valid URL (expected smtp://host:port or smtps://user:pass@host:port)")]
    InvalidUrl,
    /// The SMTP URL's scheme is neither `smtp` nor `smtps`.
    #[error("SMTP URL: scheme must be smtp or smtps (got {0:?})")]
    Scheme(String),
    /// The SMTP URL has no host.
    #[error("SMTP URL: host is missing")]
    MissingHost,
    /// The `tls` query parameter is unknown, or set on an `smtps` URL.
    #[error(
        "SMTP URL: tls must be opportunistic, required or none, and only on smtp:// (got {0:?})"
    )]
    TlsMode(String),
    /// A query parameter other than `tls`.
    #[error("SMTP URL: unknown parameter {0:?} (only tls is understood)")]
    UnknownParameter(String),
    /// The user name or password is not percent-encoded UTF-8, or a password has no user.
    #[error("SMTP URL: the user name and password must be percent-encoded UTF-8, both present")]
    Credentials,
    /// The TLS client could not be set up.
    #[error("SMTP URL: TLS setup failed")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// `MAIL_FROM` is not a mailbox.
    #[error("MAIL_FROM: not a mailbox like `Portcullis <no-reply@example.com>`")]
    From(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The outbox directory cannot be created.
    #[error("cannot create the mail outbox directory {path}")]
    Outbox {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The `From:` of every message, and the domain its `Message-ID`s use.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    pub(crate) mailbox: Mailbox,
    pub(crate) domain: String,
}

impl Sender {
    /// Parses `MAIL_FROM` (`addr@example.com` or `Name <addr@example.com>`).
    pub(crate) fn parse(from: &str) -> Result<Self, MailConfigError> {
        let mailbox: Mailbox = from
            .trim()
            .parse()
            .map_err(|e| MailConfigError::From(Box::new(e)))?;
        let domain = mailbox.email.domain().to_owned();
        Ok(Self { mailbox, domain })
    }
}
