//! `SmtpMailer`: the [`Mailer`] port over SMTP, with lettre and rustls.
//!
//! One connection per message (the outbox worker sends a few at a time; a pool would
//! only hold sockets that relays close anyway). Every exchange is bounded in time: lettre
//! bounds the connect, and [`SmtpConfig::send_timeout`] bounds the whole conversation.

mod classify;
mod endpoint;

use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use portcullis_domain::mail::OutgoingMail;
use portcullis_domain::ports::{MailError, Mailer};
use secrecy::{ExposeSecret, SecretString};

use crate::config::{MailConfigError, Sender};
use crate::message;

/// How to reach the SMTP server and who mail comes from.
///
/// `url` is `SMTP_URL`:
/// - `smtp://host[:port]`: STARTTLS when the server offers it, plain otherwise (local relays,
///   test sinks); `?tls=required` refuses a server without STARTTLS, `?tls=none` never
///   upgrades (a local relay offering STARTTLS with a certificate nobody trusts).
/// - `smtps://user:pass@host[:port]`: TLS from the first byte (implicit TLS).
///
/// The port defaults to 587 for `smtp` and 465 for `smtps`. User name and password come
/// from the URL's userinfo, percent-decoded (write `@` as `%40`, `:` as `%3A`); an optional
/// path names the host in `EHLO` (`smtp://relay:25/app.example.com`). Servers are verified
/// against Mozilla's root certificates (webpki-roots).
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `SMTP_URL`; it may hold a password, hence secret.
    pub url: SecretString,
    /// `MAIL_FROM`: `no-reply@example.com` or `Portcullis <no-reply@example.com>`.
    pub from: String,
    /// Bound on opening the connection (TCP and, for `smtps`, the TLS handshake).
    pub connect_timeout: Duration,
    /// Bound on one whole send: connect, greeting, TLS, authentication, the message, quit.
    pub send_timeout: Duration,
}

impl SmtpConfig {
    /// Default [`SmtpConfig::connect_timeout`].
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default [`SmtpConfig::send_timeout`].
    pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(15);

    /// A configuration with the default timeouts.
    pub fn new(url: SecretString, from: impl Into<String>) -> Self {
        Self {
            url,
            from: from.into(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            send_timeout: Self::DEFAULT_SEND_TIMEOUT,
        }
    }
}

/// Sends each message over its own SMTP connection. Cheap to share: hold it as
/// `Arc<dyn Mailer>`.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Sender,
    send_timeout: Duration,
}

impl SmtpMailer {
    /// Checks `config` and prepares the transport. Nothing is connected yet: a server that
    /// is down now only fails the sends.
    ///
    /// # Errors
    /// [`MailConfigError`] when the URL or `from` is invalid, or TLS cannot be set up.
    pub fn new(config: &SmtpConfig) -> Result<Self, MailConfigError> {
        let sender = Sender::parse(&config.from)?;
        let endpoint = endpoint::Endpoint::parse(config.url.expose_secret())?;
        let transport = endpoint.transport(config.connect_timeout)?;
        Ok(Self {
            transport,
            sender,
            send_timeout: config.send_timeout,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    #[tracing::instrument(name = "smtp_send", skip_all)]
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let message = message::build(&self.sender, mail, message::TextEncoding::Transport)?;
        match tokio::time::timeout(self.send_timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(classify::classify(error)),
            Err(_) => Err(MailError::Unavailable(anyhow!(
                "the SMTP exchange did not finish within {:?}",
                self.send_timeout
            ))),
        }
    }
}
