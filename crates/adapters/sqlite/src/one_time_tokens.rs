//! `OneTimeTokenRepository` on `one_time_tokens`.

use async_trait::async_trait;
use diesel::prelude::*;
use portcullis_domain::ports::{OneTimeToken, OneTimeTokenRepository, TokenPurpose};
use portcullis_domain::{StoreError, Timestamp, UserId};
use portcullis_sql_common::purpose_str;

use crate::db::SqliteDb;
use crate::rows::OneTimeTokenRow;
use crate::schema::one_time_tokens;
use crate::types::{Micros, TextUuid};

/// Password-reset and email-verification tokens in `one_time_tokens`, by digest.
#[derive(Clone, Debug)]
pub struct SqliteOneTimeTokens {
    db: SqliteDb,
}

impl SqliteOneTimeTokens {
    /// A repository on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait]
impl OneTimeTokenRepository for SqliteOneTimeTokens {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OneTimeTokenRepository.replace", otel.kind = "client", db.system.name = "sqlite"))]
    async fn replace(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        let row = OneTimeTokenRow::from(token);
        let (user_id, purpose) = (row.user_id, purpose_str(token.purpose));
        // One IMMEDIATE transaction: two concurrent requests cannot each keep their
        // own token alive.
        self.db
            .write_tx("replacing a one-time token", move |conn| {
                diesel::delete(
                    one_time_tokens::table
                        .filter(one_time_tokens::user_id.eq(user_id))
                        .filter(one_time_tokens::purpose.eq(purpose)),
                )
                .execute(conn)?;
                diesel::insert_into(one_time_tokens::table)
                    .values(row)
                    .execute(conn)?;
                Ok(())
            })
            .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OneTimeTokenRepository.consume", otel.kind = "client", db.system.name = "sqlite"))]
    async fn consume(
        &self,
        hash: [u8; 32],
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let now = Micros(now);
        // One conditional UPDATE … RETURNING: of concurrent consumers exactly one sees
        // the row still unused.
        let user = self
            .db
            .write("consuming a one-time token", move |conn| {
                diesel::update(
                    one_time_tokens::table
                        .find(hash.to_vec())
                        .filter(one_time_tokens::purpose.eq(purpose_str(purpose)))
                        .filter(one_time_tokens::used_at.is_null())
                        .filter(one_time_tokens::expires_at.gt(now)),
                )
                .set(one_time_tokens::used_at.eq(now))
                .returning(one_time_tokens::user_id)
                .get_result::<TextUuid>(conn)
                .optional()
            })
            .await?;
        Ok(user.map(|u| UserId::from_uuid(u.0)))
    }
}
