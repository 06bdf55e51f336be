//! `SMTP_URL` parsed into what the transport needs.
//!
//! Parsed here rather than by lettre's `from_url` so that `smtp://` means "STARTTLS when
//! offered", an unknown parameter is an error rather than ignored, and no error repeats
//! the URL (it may hold a password).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::config::MailConfigError;

/// When the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TlsMode {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://…?tls=required`: STARTTLS or fail.
    Required,
    /// `smtp://` (or `?tls=opportunistic`): STARTTLS when the server offers it.
    Opportunistic,
    /// `smtp://…?tls=none`: never.
    None,
}

/// A parsed `SMTP_URL`. Deliberately not `Debug`: it holds the password.
pub(super) struct Endpoint {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) tls: TlsMode,
    pub(super) credentials: Option<(String, String)>,
    pub(super) hello_name: Option<String>,
}

impl Endpoint {
    /// Parses an `smtp://` or `smtps://` URL.
    pub(super) fn parse(raw: &str) -> Result<Self, MailConfigError> {
        let url = Url::parse(raw.trim()).map_err(|_| MailConfigError::InvalidUrl)?;
        let implicit = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => return Err(MailConfigError::Scheme(other.to_owned())),
        };
        let host = match url.host() {
            Some(Host::Domain(name)) if !name.is_empty() => name.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(MailConfigError::MissingHost),
        };
        let mut tls = if implicit {
            TlsMode::Implicit
        } else {
            TlsMode::Opportunistic
        };
        for (key, value) in url.query_pairs() {
            if key != "tls" {
                return Err(MailConfigError::UnknownParameter(key.into_owned()));
            }
            tls = match (implicit, value.as_ref()) {
                (false, "opportunistic") => TlsMode::Opportunistic,
                (false, "required") => TlsMode::Required,
                (false, "none") => TlsMode::None,
                _ => return Err(MailConfigError::TlsMode(value.into_owned())),
            };
        }
        let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
        let hello_name = Some(url.path().trim_matches('/'))
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Ok(Self {
            host,
            port,
            tls,
            credentials: credentials(&url)?,
            hello_name,
        })
    }

    /// The lettre transport for this endpoint.
    pub(super) fn transport(
        self,
        connect_timeout: Duration,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailConfigError> {
        let parameters =
            || TlsParameters::new(self.host.clone()).map_err(|e| MailConfigError::Tls(Box::new(e)));
        let tls = match self.tls {
            TlsMode::Implicit => Tls::Wrapper(parameters()?),
            TlsMode::Required => Tls::Required(parameters()?),
            TlsMode::Opportunistic => Tls::Opportunistic(parameters()?),
            TlsMode::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(connect_timeout));
        if let Some((user, password)) = self.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        if let Some(name) = self.hello_name {
            builder = builder.hello_name(ClientId::Domain(name));
        }
        Ok(builder.build())
    }
}

/// The percent-decoded userinfo: none, or both a user name and a password.
fn credentials(url: &Url) -> Result<Option<(String, String)>, MailConfigError> {
    let decode = |part: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| MailConfigError::Credentials)
    };
    match (url.username(), url.password()) {
        ("", None) => Ok(None),
        (user, Some(password)) if !user.is_empty() => Ok(Some((decode(user)?, decode(password)?))),
        _ => Err(MailConfigError::Credentials),
    }
}

#[cfg(test)]
mod tests;
