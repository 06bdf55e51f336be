//! `MailOutbox` on `mail_outbox`.

use async_trait::async_trait;
use diesel::prelude::*;
use portcullis_domain::ports::MailOutbox;
use portcullis_domain::{OutgoingMail, QueuedMail, StoreError, TimeSpan, Timestamp};
use portcullis_sql_common::QueuedMailRecord;
use portcullis_sql_common::policy::{claim_batch, mail_error};
use uuid::Uuid;

use crate::db::SqliteDb;
use crate::schema::mail_outbox;
use crate::types::{Micros, NEVER, TextUuid};

/// The durable mail queue. A claim is one IMMEDIATE transaction on the single writer
/// (pick the due rows, push their `next_attempt_at` past the lease, return them), so no
/// other claim, in this process or another one on the same file, can see them due.
#[derive(Clone, Debug)]
pub struct SqliteMailOutbox {
    db: SqliteDb,
}

impl SqliteMailOutbox {
    /// An outbox on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

type ClaimedRow = (TextUuid, String, String, String, String, i32);

fn queued(
    (id, recipient, subject, text_body, html_body, attempts): ClaimedRow,
) -> Result<QueuedMail, StoreError> {
    let record = QueuedMailRecord {
        id: id.0,
        recipient,
        subject,
        text_body,
        html_body,
        attempts,
    };
    Ok(QueuedMail::try_from(record)?)
}

#[async_trait]
impl MailOutbox for SqliteMailOutbox {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.enqueue", otel.kind = "client", db.system.name = "sqlite"))]
    async fn enqueue(&self, mail: &OutgoingMail, now: Timestamp) -> Result<(), StoreError> {
        let values = (
            mail_outbox::id.eq(TextUuid(Uuid::now_v7())),
            mail_outbox::recipient.eq(mail.to.as_str().to_owned()),
            mail_outbox::subject.eq(mail.subject.clone()),
            mail_outbox::text_body.eq(mail.text.clone()),
            mail_outbox::html_body.eq(mail.html.clone()),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(Micros(now)),
            mail_outbox::created_at.eq(Micros(now)),
        );
        self.db
            .write("queueing mail", move |conn| {
                diesel::insert_into(mail_outbox::table)
                    .values(values)
                    .execute(conn)
            })
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.claim", otel.kind = "client", db.system.name = "sqlite"))]
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease: TimeSpan,
    ) -> Result<Vec<QueuedMail>, StoreError> {
        let (now, until) = (Micros(now), Micros(now + lease));
        let limit = i64::from(claim_batch(limit));
        let rows = self
            .db
            .write_tx("claiming mail", move |conn| {
                let due: Vec<TextUuid> = mail_outbox::table
                    .select(mail_outbox::id)
                    .filter(mail_outbox::sent_at.is_null())
                    .filter(mail_outbox::next_attempt_at.le(now))
                    .order((mail_outbox::next_attempt_at, mail_outbox::id))
                    .limit(limit)
                    .load(conn)?;
                if due.is_empty() {
                    return Ok(Vec::new());
                }
                diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(due)))
                    .set((
                        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                        mail_outbox::next_attempt_at.eq(until),
                    ))
                    .returning((
                        mail_outbox::id,
                        mail_outbox::recipient,
                        mail_outbox::subject,
                        mail_outbox::text_body,
                        mail_outbox::html_body,
                        mail_outbox::attempts,
                    ))
                    .get_results::<ClaimedRow>(conn)
            })
            .await?;
        rows.into_iter().map(queued).collect()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.mark_sent", otel.kind = "client", db.system.name = "sqlite"))]
    async fn mark_sent(&self, id: Uuid, now: Timestamp) -> Result<(), StoreError> {
        let (id, now) = (TextUuid(id), Micros(now));
        self.db
            .write("marking mail sent", move |conn| {
                diesel::update(mail_outbox::table.find(id))
                    .set((
                        mail_outbox::sent_at.eq(now),
                        mail_outbox::last_error.eq(None::<String>),
                    ))
                    .execute(conn)
            })
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MailOutbox.mark_failed", otel.kind = "client", db.system.name = "sqlite"))]
    async fn mark_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let id = TextUuid(id);
        let error = mail_error(error);
        // Abandoned mail stays for the operator, never due again.
        let next = retry_at.map_or(NEVER, |at| at.timestamp_micros());
        self.db
            .write("recording a mail failure", move |conn| {
                diesel::update(mail_outbox::table.find(id))
                    .set((
                        mail_outbox::next_attempt_at.eq(next),
                        mail_outbox::last_error.eq(error),
                    ))
                    .execute(conn)
            })
            .await?;
        Ok(())
    }
}
