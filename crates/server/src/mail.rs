//! Mail glue: notices are rendered with the templates and queued in the outbox
//! (`Notifier`); a worker drains the outbox through the transport (`Mailer`) with
//! retries and exponential backoff, so a request never waits on SMTP and a relay that
//! is down delays mail instead of losing it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use portcullis_domain::ports::{Clock, MailError, MailOutbox, Mailer, Notifier};
use portcullis_domain::{Email, Notice, StoreError, TimeSpan};
use portcullis_mail::{MailMessage, Templates};
use tokio::sync::watch;

/// Attempts before a message is abandoned (with an error log and a metric).
pub const MAX_ATTEMPTS: u32 = 8;

/// Renders notices and queues them.
pub struct OutboxNotifier {
    /// Compiled-in templates, or the operator's overrides.
    pub templates: Templates,
    /// The durable queue.
    pub outbox: Arc<dyn MailOutbox>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Wakes the worker when something was queued.
    pub wake: Arc<tokio::sync::Notify>,
}

fn message(notice: &Notice) -> MailMessage {
    let minutes = |t: &TimeSpan| u64::try_from(t.num_minutes()).unwrap_or(0);
    let hours = |t: &TimeSpan| u64::try_from(t.num_hours()).unwrap_or(0);
    match notice {
        Notice::PasswordReset { link, expires_in } => MailMessage::PasswordReset {
            link: link.clone(),
            expires_in_minutes: minutes(expires_in),
        },
        Notice::EmailVerification { link, expires_in } => MailMessage::EmailVerification {
            link: link.clone(),
            expires_in_hours: hours(expires_in),
        },
        Notice::PasswordChanged => MailMessage::PasswordChanged,
        Notice::AccountExists { login_link } => MailMessage::AccountExists {
            login_link: login_link.clone(),
        },
    }
}

#[async_trait]
impl Notifier for OutboxNotifier {
    async fn notify(&self, to: &Email, notice: &Notice) -> Result<(), StoreError> {
        let mail = self
            .templates
            .render(&message(notice), to)
            .map_err(StoreError::unexpected)?;
        self.outbox.enqueue(&mail, self.clock.now()).await?;
        metrics::counter!("portcullis_mail_queued_total").increment(1);
        self.wake.notify_one();
        Ok(())
    }
}

/// Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s, … capped at 30 min.
pub fn backoff(attempts: u32) -> TimeSpan {
    let secs = 5i64.saturating_mul(1i64 << attempts.min(20).saturating_sub(1));
    TimeSpan::seconds(secs.min(1800))
}

/// Drains the outbox until `stop` flips: claims due messages, sends them, records the
/// outcome. Wakes on `wake` or every second.
pub async fn run_worker(
    outbox: Arc<dyn MailOutbox>,
    transport: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    wake: Arc<tokio::sync::Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        drain(&*outbox, &*transport, &*clock).await;
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn drain(outbox: &dyn MailOutbox, transport: &dyn Mailer, clock: &dyn Clock) {
    let batch = match outbox.claim(clock.now(), 20, TimeSpan::minutes(2)).await {
        Ok(batch) => batch,
        Err(err) => {
            tracing::warn!(error = %err, "mail outbox unavailable; will retry");
            return;
        }
    };
    for queued in batch {
        let outcome = transport.send(&queued.mail).await;
        let recorded = match outcome {
            Ok(()) => {
                metrics::counter!("portcullis_mail_sent_total").increment(1);
                outbox.mark_sent(queued.id, clock.now()).await
            }
            Err(MailError::Unavailable(err)) if queued.attempts < MAX_ATTEMPTS => {
                let retry_at = clock.now() + backoff(queued.attempts);
                tracing::warn!(error = %err, attempts = queued.attempts, retry_at = %retry_at, "mail delivery failed; will retry");
                outbox
                    .mark_failed(queued.id, &format!("{err:#}"), Some(retry_at))
                    .await
            }
            Err(err) => {
                tracing::error!(error = %err, attempts = queued.attempts, "mail abandoned");
                metrics::counter!("portcullis_mail_abandoned_total").increment(1);
                outbox.mark_failed(queued.id, &err.to_string(), None).await
            }
        };
        if let Err(err) = recorded {
            tracing::warn!(error = %err, "could not record a mail outcome; it may be sent again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), TimeSpan::seconds(5));
        assert_eq!(backoff(2), TimeSpan::seconds(10));
        assert_eq!(backoff(3), TimeSpan::seconds(20));
        assert_eq!(backoff(30), TimeSpan::seconds(1800));
    }
}
