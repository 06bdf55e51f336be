//! `Mailer`: sending mail (through an outbox, so requests never wait on SMTP).

use async_trait::async_trait;

use crate::mail::OutgoingMail;

/// Mail could not be accepted for delivery.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The relay or outbox is unreachable; retry later.
    #[error("mail transport unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// The message was refused for good.
    #[error("mail refused")]
    Rejected(#[source] anyhow::Error),
}

/// Hands a rendered message to a transport.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Sends (or durably queues) one message.
    ///
    /// # Errors
    /// [`MailError::Unavailable`] when it may succeed later, [`MailError::Rejected`]
    /// when it never will.
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}
