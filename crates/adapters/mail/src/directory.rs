//! `DirectoryMailer`: the [`Mailer`] port as a folder of `.eml` files, for `APP_ENV=local`
//! without `SMTP_URL`. Open a file with any mail client, or read it as text: the plain
//! part is 8bit, so its link can be copied as it stands.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use async_trait::async_trait;
use portcullis_domain::mail::OutgoingMail;
use portcullis_domain::ports::{MailError, Mailer};

use crate::config::{MailConfigError, Sender};
use crate::message;

/// Writes each message as one RFC 5322 file, `<UTC timestamp>-<recipient>-<random>.eml`,
/// so the newest sorts last; a file appears whole or not at all.
#[derive(Debug, Clone)]
pub struct DirectoryMailer {
    dir: PathBuf,
    sender: Sender,
}

impl DirectoryMailer {
    /// A mailer writing into `dir` (e.g. `./data/outbox`), created now if missing, with
    /// `from` (`MAIL_FROM`) as the sender.
    ///
    /// # Errors
    /// [`MailConfigError::From`] for an invalid `from`, [`MailConfigError::Outbox`] when
    /// the directory cannot be created.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailConfigError> {
        let dir = dir.into();
        let sender = Sender::parse(from)?;
        std::fs::create_dir_all(&dir).map_err(|source| MailConfigError::Outbox {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir, sender })
    }

    /// The directory the files go to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_name(mail: &OutgoingMail) -> String {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
        let recipient: String = mail
            .to
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | '+') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        format!("{stamp}-{recipient}-{}.eml", &unique[..8])
    }
}

#[async_trait]
impl Mailer for DirectoryMailer {
    #[tracing::instrument(name = "outbox_write", skip_all)]
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let formatted =
            message::build(&self.sender, mail, message::TextEncoding::Readable)?.formatted();
        let path = self.dir.join(Self::file_name(mail));
        // Written under a dot-name, then renamed: a reader never sees half a message.
        let partial = self.dir.join(format!(
            ".{}.partial",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("mail")
        ));
        let written = async {
            tokio::fs::create_dir_all(&self.dir).await?;
            tokio::fs::write(&partial, &formatted).await?;
            tokio::fs::rename(&partial, &path).await
        }
        .await
        .with_context(|| format!("cannot write the mail into {}", self.dir.display()));
        if let Err(error) = written {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(MailError::Unavailable(error));
        }
        // The path, never the link: the link is in the file.
        tracing::info!(path = %path.display(), "mail written to the local outbox");
        Ok(())
    }
}
