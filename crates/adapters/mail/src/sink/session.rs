//! One SMTP conversation of the sink (RFC 5321, the subset clients need).

use std::io;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::{ReceivedMail, Shared, SinkBehavior};

struct Conversation {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Conversation {
    async fn reply(&mut self, text: &str) -> io::Result<()> {
        self.writer.write_all(text.as_bytes()).await?;
        self.writer.write_all(b"\r\n").await?;
        self.writer.flush().await
    }

    /// The next line without its CRLF; `None` at end of stream.
    async fn line(&mut self) -> io::Result<Option<String>> {
        let mut buffer = Vec::new();
        if self.reader.read_until(b'\n', &mut buffer).await? == 0 {
            return Ok(None);
        }
        while buffer.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buffer.pop();
        }
        Ok(Some(String::from_utf8_lossy(&buffer).into_owned()))
    }

    /// `AUTH PLAIN [initial]` or `AUTH LOGIN`: records the credentials, accepts any.
    async fn auth(&mut self, argument: &str) -> io::Result<Option<(String, String)>> {
        let mut words = argument.split_whitespace();
        let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
        let initial = words.next().map(str::to_owned);
        let decode = |b64: &str| {
            STANDARD
                .decode(b64.trim())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        };
        let credentials = match mechanism.as_str() {
            "PLAIN" => {
                let response = match initial {
                    Some(response) => response,
                    None => {
                        self.reply("334 ").await?;
                        self.line().await?.unwrap_or_default()
                    }
                };
                let decoded = decode(&response);
                let mut fields = decoded.split('\0').skip(1);
                let user = fields.next().unwrap_or_default().to_owned();
                let password = fields.next().unwrap_or_default().to_owned();
                (user, password)
            }
            "LOGIN" => {
                self.reply("334 VXNlcm5hbWU6").await?;
                let user = decode(&self.line().await?.unwrap_or_default());
                self.reply("334 UGFzc3dvcmQ6").await?;
                let password = decode(&self.line().await?.unwrap_or_default());
                (user, password)
            }
            _ => {
                self.reply("504 5.5.4 mechanism not supported").await?;
                return Ok(None);
            }
        };
        self.reply("235 2.7.0 authenticated").await?;
        Ok(Some(credentials))
    }

    /// The message after `DATA`, up to the lone `.`, dot-unstuffed, lines joined by CRLF.
    async fn data(&mut self) -> io::Result<Option<String>> {
        let mut lines = Vec::new();
        loop {
            let Some(line) = self.line().await? else {
                return Ok(None);
            };
            if line == "." {
                return Ok(Some(lines.join("\r\n") + "\r\n"));
            }
            lines.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
        }
    }
}

/// The address inside `<…>` of `FROM:<a@b> BODY=8BITMIME`.
fn path(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |at| at + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |at| start + at);
    argument[start..end].trim().to_owned()
}

/// Serves one connection until `QUIT`, end of stream or an I/O error.
pub(super) async fn run(stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    if shared.behavior() == SinkBehavior::Stall {
        // Keep the socket open and silent until the client gives up or the sink stops.
        std::future::pending::<()>().await;
        drop(stream);
        return Ok(());
    }
    let (reader, writer) = stream.into_split();
    let mut talk = Conversation {
        reader: BufReader::new(reader),
        writer,
    };
    talk.reply("220 portcullis-sink ESMTP ready").await?;
    let (mut from, mut recipients, mut credentials) = (None::<String>, Vec::new(), None);
    while let Some(line) = talk.line().await? {
        let (verb, argument) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                talk.reply(
                    "250-portcullis-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN",
                )
                .await?;
            }
            "HELO" => talk.reply("250 portcullis-sink").await?,
            "AUTH" => credentials = talk.auth(argument).await?.or(credentials),
            "MAIL" => {
                from = Some(path(argument));
                recipients.clear();
                talk.reply("250 2.1.0 ok").await?;
            }
            "RCPT" => match shared.behavior() {
                SinkBehavior::DeferRecipients => {
                    talk.reply("451 4.3.0 try again later").await?;
                }
                SinkBehavior::RejectRecipients => {
                    talk.reply("550 5.1.1 no such mailbox").await?;
                }
                SinkBehavior::Accept | SinkBehavior::Stall => {
                    recipients.push(path(argument));
                    talk.reply("250 2.1.5 ok").await?;
                }
            },
            "DATA" if from.is_none() || recipients.is_empty() => {
                talk.reply("503 5.5.1 MAIL FROM and RCPT TO first").await?;
            }
            "DATA" => {
                talk.reply("354 end with <CRLF>.<CRLF>").await?;
                let Some(data) = talk.data().await? else {
                    return Ok(());
                };
                let mail = ReceivedMail {
                    mail_from: from.take().unwrap_or_default(),
                    rcpt_to: std::mem::take(&mut recipients),
                    credentials: credentials.clone(),
                    data,
                };
                shared.inbox.send_modify(|inbox| inbox.push(mail));
                talk.reply("250 2.0.0 queued").await?;
            }
            "RSET" => {
                from = None;
                recipients.clear();
                talk.reply("250 2.0.0 ok").await?;
            }
            "NOOP" => talk.reply("250 2.0.0 ok").await?,
            "QUIT" => {
                talk.reply("221 2.0.0 bye").await?;
                return Ok(());
            }
            _ => talk.reply("502 5.5.2 command not implemented").await?,
        }
    }
    Ok(())
}
