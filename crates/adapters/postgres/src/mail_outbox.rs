//! `MailOutbox` on `mail_outbox`: several instances drain it without sending a message
//! twice (claims take rows `FOR UPDATE SKIP LOCKED` and lease them).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use portcullis_domain::ports::MailOutbox;
use portcullis_domain::{Email, OutgoingMail, QueuedMail, StoreError, TimeSpan, Timestamp};
use uuid::Uuid;

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::schema::mail_outbox;

/// The durable mail queue.
#[derive(Clone)]
pub struct PgMailOutbox {
    pool: PgPool,
}

impl PgMailOutbox {
    /// An outbox on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    recipient: String,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    text_body: String,
    #[diesel(sql_type = Text)]
    html_body: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
}

impl TryFrom<ClaimedRow> for QueuedMail {
    type Error = StoreError;

    fn try_from(row: ClaimedRow) -> Result<Self, StoreError> {
        let to = Email::parse(&row.recipient).map_err(|e| {
            StoreError::unexpected(anyhow::anyhow!("outbox recipient is not an email: {e}"))
        })?;
        Ok(QueuedMail {
            id: row.id,
            mail: OutgoingMail {
                to,
                subject: row.subject,
                text: row.text_body,
                html: row.html_body,
            },
            attempts: u32::try_from(row.attempts).unwrap_or(0),
        })
    }
}

#[async_trait]
impl MailOutbox for PgMailOutbox {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.enqueue", otel.kind = "client", db.system.name = "postgresql"))]
    async fn enqueue(&self, mail: &OutgoingMail, now: Timestamp) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::id.eq(Uuid::now_v7()),
                mail_outbox::recipient.eq(mail.to.as_str()),
                mail_outbox::subject.eq(&mail.subject),
                mail_outbox::text_body.eq(&mail.text),
                mail_outbox::html_body.eq(&mail.html),
                mail_outbox::attempts.eq(0),
                mail_outbox::next_attempt_at.eq(now),
                mail_outbox::created_at.eq(now),
            ))
            .execute(&mut conn)
            .await;
        settle(&mut conn, "queueing mail", result).await.map(|_| ())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.claim", otel.kind = "client", db.system.name = "postgresql"))]
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease: TimeSpan,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let limit = i32::try_from(limit.clamp(1, 1000)).unwrap_or(100);
        // One statement: rows another worker holds are skipped, and the claimed ones are
        // hidden until the lease ends (a crashed worker's mail comes back).
        let result = diesel::sql_query(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                          ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, recipient, subject, text_body, html_body, attempts",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + lease)
        .bind::<Int4, _>(limit)
        .load::<ClaimedRow>(&mut conn)
        .await;
        let rows = settle(&mut conn, "claiming mail", result).await?;
        rows.into_iter().map(QueuedMail::try_from).collect()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.mark_sent", otel.kind = "client", db.system.name = "postgresql"))]
    async fn mark_sent(&self, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::update(mail_outbox::table.find(id))
            .set((
                mail_outbox::sent_at.eq(now),
                mail_outbox::last_error.eq(None::<String>),
            ))
            .execute(&mut conn)
            .await;
        settle(&mut conn, "marking mail sent", result)
            .await
            .map(|_| ())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.mark_failed", otel.kind = "client", db.system.name = "postgresql"))]
    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let error: String = error.chars().take(1000).collect();
        // Abandoned mail stays for the operator, never due again.
        let result = match retry_at {
            Some(at) => {
                diesel::update(mail_outbox::table.find(id))
                    .set((mail_outbox::next_attempt_at.eq(at), mail_outbox::last_error.eq(error)))
                    .execute(&mut conn)
                    .await
            }
            None => {
                diesel::sql_query("UPDATE mail_outbox SET next_attempt_at = 'infinity', last_error = $2 WHERE id = $1")
                    .bind::<SqlUuid, _>(id)
                    .bind::<Text, _>(error)
                    .execute(&mut conn)
                    .await
            }
        };
        settle(&mut conn, "recording a mail failure", result)
            .await
            .map(|_| ())
    }
}
