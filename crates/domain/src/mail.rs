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
