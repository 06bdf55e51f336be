//! Mail for Portcullis: what the product sends, and how it leaves the process.
//!
//! - [`Templates`] renders a [`MailMessage`] (password reset, email verification, password
//!   changed, account exists) into an [`OutgoingMail`] with a subject, a plain-text and an
//!   HTML body. The templates are compiled in and can be replaced one file at a time from a
//!   directory ([`Templates::with_overrides`]).
//! - [`SmtpMailer`] implements the [`Mailer`] port over SMTP (lettre, rustls) from an
//!   `smtp://` / `smtps://` URL ([`SmtpConfig`]).
//! - [`DirectoryMailer`] implements it by writing `.eml` files into a directory: the local
//!   development outbox when no SMTP server is configured.
//! - With the `test-support` feature, `sink` is an in-process SMTP server that captures
//!   what it receives, for tests.
//!
//! No log line written here holds a link, token or password: links live in the message
//! bodies only.
//!
//! [`OutgoingMail`]: portcullis_domain::mail::OutgoingMail
//! [`Mailer`]: portcullis_domain::ports::Mailer

mod config;
mod directory;
mod message;
mod smtp;
mod templates;

#[cfg(feature = "test-support")]
pub mod sink;

pub use config::MailConfigError;
pub use directory::DirectoryMailer;
pub use smtp::{SmtpConfig, SmtpMailer};
pub use templates::{MailMessage, RenderError, TemplateLoadError, Templates};
