//! `mail_outbox`.

use portcullis_domain::{Email, OutgoingMail, QueuedMail};
use uuid::Uuid;

use crate::CorruptRow;

/// The columns of a claimed `mail_outbox` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMailRecord {
    /// Outbox id.
    pub id: Uuid,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text_body: String,
    /// HTML body.
    pub html_body: String,
    /// Delivery attempts so far (this claim included).
    pub attempts: i32,
}

impl TryFrom<QueuedMailRecord> for QueuedMail {
    type Error = CorruptRow;

    fn try_from(row: QueuedMailRecord) -> Result<Self, Self::Error> {
        let bad = |column, reason| CorruptRow::new("mail_outbox", column, reason);
        Ok(Self {
            id: row.id,
            mail: OutgoingMail {
                to: Email::parse(&row.recipient)
                    .map_err(|_| bad("recipient", "is not a valid email"))?,
                subject: row.subject,
                text: row.text_body,
                html: row.html_body,
            },
            attempts: u32::try_from(row.attempts).map_err(|_| bad("attempts", "is negative"))?,
        })
    }
}
