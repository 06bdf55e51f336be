//! `MemoryMailer`.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use portcullis_domain::mail::OutgoingMail;
use portcullis_domain::ports::{MailError, Mailer};

/// A mailer that delivers nothing: it records each message so tests (and the embedded
/// mode's operator) can read them. Keeps the newest [`MemoryMailer::DEFAULT_CAPACITY`]
/// messages (or the capacity given).
#[derive(Debug)]
pub struct MemoryMailer {
    capacity: usize,
    sent: Mutex<VecDeque<OutgoingMail>>,
}

impl MemoryMailer {
    /// Messages kept by [`MemoryMailer::new`].
    pub const DEFAULT_CAPACITY: usize = 1_000;

    /// A mailer keeping the newest [`MemoryMailer::DEFAULT_CAPACITY`] messages.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A mailer keeping the newest `capacity` messages (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// The messages sent so far, oldest first.
    pub fn sent(&self) -> Vec<OutgoingMail> {
        // Pushing a message cannot leave the queue half-updated: recover from poison.
        let sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        sent.iter().cloned().collect()
    }
}

impl Default for MemoryMailer {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let mut sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        if sent.len() >= self.capacity {
            sent.pop_front();
        }
        sent.push_back(mail.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portcullis_testkit::email;

    use super::*;

    fn mail(subject: &str) -> OutgoingMail {
        OutgoingMail {
            to: email("ada@example.com"),
            subject: subject.to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
        }
    }

    #[tokio::test]
    async fn records_sent_mail_in_order_up_to_capacity() {
        let mailer = MemoryMailer::with_capacity(2);
        assert!(mailer.sent().is_empty());
        for subject in ["one", "two", "three"] {
            mailer.send(&mail(subject)).await.unwrap();
        }
        let subjects: Vec<String> = mailer.sent().into_iter().map(|m| m.subject).collect();
        assert_eq!(subjects, ["two", "three"]);
    }
}
