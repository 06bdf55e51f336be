//! An [`OutgoingMail`] as an RFC 5322 message: `multipart/alternative` with the plain-text
//! part first (the fallback) and the HTML part last (the preferred one).

use anyhow::anyhow;
use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use portcullis_domain::mail::OutgoingMail;
use portcullis_domain::ports::MailError;

use crate::config::Sender;

/// How the plain-text part is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    /// 7bit, else quoted-printable or base64: safe through any relay.
    Transport,
    /// 8bit when every line fits RFC 5322's 998 octets: a file a person reads, where a
    /// quoted-printable link (`token=3D…`, broken by soft line breaks) cannot be copied.
    Readable,
}

/// Builds the message `sender` sends for `mail`.
///
/// # Errors
/// [`MailError::Rejected`] when the recipient is not an address lettre can send to: no
/// later attempt would do better.
pub(crate) fn build(
    sender: &Sender,
    mail: &OutgoingMail,
    encoding: TextEncoding,
) -> Result<Message, MailError> {
    let to: Mailbox = mail.to.as_str().parse().map_err(|e| {
        MailError::Rejected(anyhow::Error::new(e).context("recipient is not a sendable address"))
    })?;
    Message::builder()
        .from(sender.mailbox.clone())
        .to(to)
        .subject(single_line(&mail.subject))
        .date_now()
        .message_id(Some(format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            sender.domain
        )))
        .header(AutoSubmitted)
        .multipart(
            MultiPart::alternative()
                .singlepart(text_part(&mail.text, encoding))
                .singlepart(SinglePart::html(mail.html.clone())),
        )
        .map_err(|e| MailError::Rejected(anyhow!(e).context("cannot build the message")))
}

fn text_part(text: &str, encoding: TextEncoding) -> SinglePart {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let fits_8bit = !crlf.contains('\0')
        && crlf
            .split("\r\n")
            .all(|line| line.len() <= 998 && !line.contains('\r'));
    let body = if encoding == TextEncoding::Readable && fits_8bit {
        // Valid as is: checked just above (no NUL, no bare CR, short enough lines).
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(text.to_owned())
    };
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
}

/// A subject is one line: template whitespace and line breaks collapse to single spaces.
fn single_line(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies stay away.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{TextEncoding, single_line, text_part};

    #[test]
    fn readable_text_is_8bit_unless_a_line_is_too_long() {
        let link = format!(
            "https://auth.example.com/reset-password?token={}&x=1",
            "A".repeat(60)
        );
        let part = String::from_utf8(
            text_part(&format!("Grüße\n{link}\n"), TextEncoding::Readable).formatted(),
        )
        .unwrap();
        assert!(part.contains("Content-Transfer-Encoding: 8bit"), "{part}");
        assert!(part.contains(&format!("\r\n{link}\r\n")), "{part}");

        let long =
            String::from_utf8(text_part(&"x".repeat(1200), TextEncoding::Readable).formatted())
                .unwrap();
        assert!(!long.contains("8bit"), "{long}");
        let transport =
            String::from_utf8(text_part(&link, TextEncoding::Transport).formatted()).unwrap();
        assert!(transport.contains("quoted-printable"), "{transport}");
    }

    #[test]
    fn subject_is_one_line() {
        assert_eq!(
            single_line("  Reset\r\nyour\tpassword \n"),
            "Reset your password"
        );
    }
}
