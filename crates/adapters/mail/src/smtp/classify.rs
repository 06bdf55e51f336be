//! lettre's SMTP errors as the port's two kinds: try again later, or never.

use anyhow::Error;
use lettre::transport::smtp;
use portcullis_domain::ports::MailError;

/// Replies about the session, not the message (RFC 4954): 530 authentication required,
/// 534 mechanism too weak, 535 credentials invalid, 538 encryption required. The operator
/// fixes `SMTP_URL` and the same message then goes through, so the outbox keeps it.
const SESSION_REFUSALS: [u16; 4] = [530, 534, 535, 538];

/// Maps a failed send: a permanent (5xx) reply about the message is
/// [`MailError::Rejected`]; everything else — connection refused or reset, timeouts, TLS
/// failures, 4xx replies, refused credentials — is [`MailError::Unavailable`].
pub(super) fn classify(error: smtp::Error) -> MailError {
    match error.status().map(u16::from) {
        Some(code) if error.is_permanent() && !SESSION_REFUSALS.contains(&code) => {
            MailError::Rejected(Error::new(error).context(format!(
                "the SMTP server refused the message for good ({code})"
            )))
        }
        Some(code) if error.is_permanent() => MailError::Unavailable(
            Error::new(error).context(format!(
                "the SMTP server refused the session ({code}): check the credentials and TLS mode in SMTP_URL"
            )),
        ),
        Some(code) => MailError::Unavailable(
            Error::new(error).context(format!("the SMTP server deferred the message ({code})")),
        ),
        None if error.is_timeout() => {
            MailError::Unavailable(Error::new(error).context("the SMTP server timed out"))
        }
        None => MailError::Unavailable(
            Error::new(error).context("cannot talk to the SMTP server"),
        ),
    }
}
