//! `OneTimeTokenRepository` on `one_time_tokens`.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use portcullis_domain::ports::{OneTimeToken, OneTimeTokenRepository, TokenPurpose};
use portcullis_domain::{StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::rows::{OneTimeTokenRow, purpose_str};
use crate::schema::{one_time_tokens, users};

/// Password-reset and email-verification tokens in `one_time_tokens`, by digest.
#[derive(Clone)]
pub struct PgOneTimeTokens {
    pool: PgPool,
}

impl PgOneTimeTokens {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl OneTimeTokenRepository for PgOneTimeTokens {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OneTimeTokenRepository.replace", otel.kind = "client", db.system.name = "postgresql"))]
    async fn replace(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let row = OneTimeTokenRow::from(token);
        let (user_id, purpose) = (row.user_id, purpose_str(token.purpose));
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                // Replacements for one user run one at a time, so two concurrent requests
                // cannot each keep their own token alive.
                users::table
                    .find(user_id)
                    .select(users::id)
                    .for_no_key_update()
                    .first::<Uuid>(conn)
                    .await
                    .optional()?;
                diesel::delete(
                    one_time_tokens::table
                        .filter(one_time_tokens::user_id.eq(user_id))
                        .filter(one_time_tokens::purpose.eq(purpose)),
                )
                .execute(conn)
                .await?;
                diesel::insert_into(one_time_tokens::table)
                    .values(row)
                    .execute(conn)
                    .await?;
                Ok(())
            })
            .await;
        settle(&mut conn, "replacing a one-time token", result).await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OneTimeTokenRepository.consume", otel.kind = "client", db.system.name = "postgresql"))]
    async fn consume(
        &self,
        hash: [u8; 32],
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // One conditional UPDATE ... RETURNING: of concurrent consumers exactly one
        // sees the row still unused.
        let result = diesel::update(
            one_time_tokens::table
                .find(hash.to_vec())
                .filter(one_time_tokens::purpose.eq(purpose_str(purpose)))
                .filter(one_time_tokens::used_at.is_null())
                .filter(one_time_tokens::expires_at.gt(now)),
        )
        .set(one_time_tokens::used_at.eq(now))
        .returning(one_time_tokens::user_id)
        .get_result::<Uuid>(&mut conn)
        .await
        .optional();
        let user = settle(&mut conn, "consuming a one-time token", result).await?;
        Ok(user.map(UserId::from_uuid))
    }
}
