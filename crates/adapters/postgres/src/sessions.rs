//! `SessionRepository` on `sessions`.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{RevokeReason, Session, SessionId, StoreError, Timestamp, UserId};
use uuid::Uuid;

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::rows::SessionRow;
use crate::schema::{sessions, users};

/// Sessions in `sessions`, the source of truth for whether a session is alive.
#[derive(Clone)]
pub struct PgSessionRepository {
    pool: PgPool,
}

impl PgSessionRepository {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn to_ids(ids: Vec<Uuid>) -> Vec<SessionId> {
    ids.into_iter().map(SessionId::from_uuid).collect()
}

#[async_trait]
impl SessionRepository for PgSessionRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.create", otel.kind = "client", db.system.name = "postgresql"))]
    async fn create(
        &self,
        session: &Session,
        max_active: u32,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let row = SessionRow::from(session);
        // The port passes no clock: the new session's start is "now" for deciding which
        // sessions are still active and for the evictions' revoked_at.
        let (user_id, new_id, now) = (row.user_id, row.id, session.created_at);
        // The new session itself always stays (even with max_active 0): keep at most
        // max_active - 1 others, the most recently used.
        let keep_others = i64::from(max_active.saturating_sub(1));
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                // Creates of one user run one at a time: each sees the sessions the
                // previous one left, so concurrent logins cannot both skip an
                // eviction. NO KEY UPDATE does not block foreign-key checks (KEY
                // SHARE) of other writers on the user's rows.
                users::table
                    .find(user_id)
                    .select(users::id)
                    .for_no_key_update()
                    .first::<Uuid>(conn)
                    .await
                    .optional()?;
                diesel::insert_into(sessions::table)
                    .values(row)
                    .execute(conn)
                    .await?;
                // The user's row lock keeps this set stable until commit; the
                // UPDATE re-checks revoked_at in case a logout got there first, and
                // RETURNING reports exactly the rows this call revoked.
                let beyond_cap: Vec<Uuid> = sessions::table
                    .select(sessions::id)
                    .filter(sessions::user_id.eq(user_id))
                    .filter(sessions::id.ne(new_id))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(now))
                    .order((sessions::last_used_at.desc(), sessions::id.desc()))
                    .offset(keep_others)
                    .load(conn)
                    .await?;
                if beyond_cap.is_empty() {
                    return Ok(Vec::new());
                }
                diesel::update(
                    sessions::table
                        .filter(sessions::id.eq_any(beyond_cap))
                        .filter(sessions::revoked_at.is_null()),
                )
                .set((
                    sessions::revoked_at.eq(now),
                    sessions::revoked_reason.eq(RevokeReason::Evicted.as_str()),
                ))
                .returning(sessions::id)
                .get_results::<Uuid>(conn)
                .await
            })
            .await;
        let evicted = settle(&mut conn, "creating a session", result).await?;
        Ok(to_ids(evicted))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.find", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = sessions::table
            .find(id.as_uuid())
            .select(SessionRow::as_select())
            .first::<SessionRow>(&mut conn)
            .await
            .optional();
        let row = settle(&mut conn, "loading a session", result).await?;
        Ok(row.map(Session::try_from).transpose()?)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.touch", otel.kind = "client", db.system.name = "postgresql"))]
    async fn touch(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // One conditional UPDATE: a concurrent revocation commits before it (no row
        // matches) or after it (the row was active when bumped), never in between.
        let result = diesel::update(
            sessions::table
                .find(id.as_uuid())
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::expires_at.gt(now)),
        )
        .set(sessions::last_used_at.eq(now))
        .execute(&mut conn)
        .await;
        let touched = settle(&mut conn, "touching a session", result).await?;
        Ok(touched == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.list_active", otel.kind = "client", db.system.name = "postgresql"))]
    async fn list_active(&self, user: UserId, now: Timestamp) -> Result<Vec<Session>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = sessions::table
            .select(SessionRow::as_select())
            .filter(sessions::user_id.eq(user.as_uuid()))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .order((sessions::created_at.desc(), sessions::id.desc()))
            .load::<SessionRow>(&mut conn)
            .await;
        let rows = settle(&mut conn, "listing active sessions", result).await?;
        rows.into_iter()
            .map(|row| Session::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.revoke", otel.kind = "client", db.system.name = "postgresql"))]
    async fn revoke(
        &self,
        id: SessionId,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::update(
            sessions::table
                .find(id.as_uuid())
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason.as_str()),
        ))
        .execute(&mut conn)
        .await;
        let revoked = settle(&mut conn, "revoking a session", result).await?;
        Ok(revoked == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.revoke_all", otel.kind = "client", db.system.name = "postgresql"))]
    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let target = sessions::table
            .filter(sessions::user_id.eq(user.as_uuid()))
            .filter(sessions::revoked_at.is_null())
            // `IS DISTINCT FROM NULL` is true for every row: no keep, no exception.
            .filter(
                sessions::id
                    .nullable()
                    .is_distinct_from(keep.map(|k| k.as_uuid())),
            );
        // One UPDATE ... RETURNING: atomic, and reports exactly the rows it changed.
        let result = diesel::update(target)
            .set((
                sessions::revoked_at.eq(now),
                sessions::revoked_reason.eq(reason.as_str()),
            ))
            .returning(sessions::id)
            .get_results::<Uuid>(&mut conn)
            .await;
        let revoked = settle(&mut conn, "revoking a user's sessions", result).await?;
        Ok(to_ids(revoked))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.purge", otel.kind = "client", db.system.name = "postgresql"))]
    async fn purge(
        &self,
        expired_before: Timestamp,
        revoked_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::delete(
            sessions::table.filter(
                sessions::expires_at
                    .lt(expired_before)
                    .or(sessions::revoked_at.lt(revoked_before).assume_not_null()),
            ),
        )
        .execute(&mut conn)
        .await;
        let deleted = settle(&mut conn, "purging sessions", result).await?;
        u64::try_from(deleted).map_err(StoreError::unexpected)
    }
}
