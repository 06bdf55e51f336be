//! `ReceivedMail`: one message the sink accepted, with MIME-aware accessors.

use mail_parser::{Message, MessageParser};

/// One accepted message: its SMTP envelope and its data as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` address.
    pub mail_from: String,
    /// The `RCPT TO` addresses.
    pub rcpt_to: Vec<String>,
    /// The user name and password of `AUTH`, when the client authenticated.
    pub credentials: Option<(String, String)>,
    /// The message (headers and body) after dot-unstuffing, CRLF line ends.
    pub data: String,
}

impl ReceivedMail {
    fn parsed(&self) -> Option<Message<'_>> {
        MessageParser::default().parse(self.data.as_bytes())
    }

    /// Whether `address` is among the envelope recipients (ASCII case-insensitively).
    pub fn is_to(&self, address: &str) -> bool {
        self.rcpt_to
            .iter()
            .any(|rcpt| rcpt.eq_ignore_ascii_case(address))
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.parsed()?.subject().map(str::to_owned)
    }

    /// The addresses of the `To` header.
    pub fn to_header(&self) -> Vec<String> {
        self.parsed()
            .and_then(|message| {
                message.to().map(|to| {
                    to.iter()
                        .filter_map(|addr| addr.address().map(str::to_owned))
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    /// The raw (undecoded) value of the first header called `name`, e.g. `Message-ID`.
    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed()?
            .header_raw(name.to_owned())
            .map(|value| value.trim().to_owned())
    }

    /// The decoded `text/plain` part (transfer encoding and charset undone, CRLF line ends
    /// as transmitted); `None` when the message has no such part.
    pub fn text(&self) -> Option<String> {
        let message = self.parsed()?;
        let part = message
            .parts
            .iter()
            .find(|part| part.is_text() && !part.is_text_html())?;
        part.text_contents().map(str::to_owned)
    }

    /// The decoded `text/html` part; `None` when the message has none.
    pub fn html(&self) -> Option<String> {
        let message = self.parsed()?;
        let part = message.parts.iter().find(|part| part.is_text_html())?;
        part.text_contents().map(str::to_owned)
    }

    /// Every `http://` or `https://` URL of the plain-text part, in order (up to the next
    /// whitespace, `<`, `>` or `"`).
    pub fn links(&self) -> Vec<String> {
        let text = self.text().unwrap_or_default();
        let mut links = Vec::new();
        let mut rest = text.as_str();
        while let Some(at) = ["https://", "http://"]
            .iter()
            .filter_map(|scheme| rest.find(scheme))
            .min()
        {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
                .unwrap_or(tail.len());
            links.push(tail[..end].to_owned());
            rest = &tail[end..];
        }
        links
    }

    /// The first link of the plain-text part containing `needle`, e.g.
    /// `"/reset-password?token="`.
    pub fn link_containing(&self, needle: &str) -> Option<String> {
        self.links().into_iter().find(|link| link.contains(needle))
    }
}
