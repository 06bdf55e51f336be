//! `SessionRepository` on `sessions`.

use async_trait::async_trait;
use diesel::prelude::*;
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{RevokeReason, Session, SessionId, StoreError, Timestamp, UserId};
use portcullis_sql_common::policy::other_sessions_kept;

use crate::db::SqliteDb;
use crate::rows::{SessionRow, decode, decode_all};
use crate::schema::sessions;
use crate::types::{Micros, TextUuid};

/// Sessions in `sessions`, the source of truth for whether a session is alive.
#[derive(Clone, Debug)]
pub struct SqliteSessionRepository {
    db: SqliteDb,
}

impl SqliteSessionRepository {
    /// A repository on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

fn to_ids(ids: Vec<TextUuid>) -> Vec<SessionId> {
    ids.into_iter()
        .map(|id| SessionId::from_uuid(id.0))
        .collect()
}

#[async_trait]
impl SessionRepository for SqliteSessionRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.create", otel.kind = "client", db.system.name = "sqlite"))]
    async fn create(
        &self,
        session: &Session,
        max_active: u32,
    ) -> Result<Vec<SessionId>, StoreError> {
        let row = SessionRow::from(session);
        // The port passes no clock: the new session's start is "now" for deciding which
        // sessions are still active and for the evictions' revoked_at.
        let (user_id, new_id, now) = (row.user_id, row.id, Micros(session.created_at));
        let keep_others = i64::from(other_sessions_kept(max_active));
        // One IMMEDIATE transaction on the single writer: the insert, the choice of the
        // sessions beyond the cap and their revocation see no other write in between,
        // so concurrent logins of one user evict exactly what they must, once.
        let evicted = self
            .db
            .write_tx("creating a session", move |conn| {
                diesel::insert_into(sessions::table)
                    .values(row)
                    .execute(conn)?;
                let beyond_cap: Vec<TextUuid> = sessions::table
                    .select(sessions::id)
                    .filter(sessions::user_id.eq(user_id))
                    .filter(sessions::id.ne(new_id))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(now))
                    .order((sessions::last_used_at.desc(), sessions::id.desc()))
                    .offset(keep_others)
                    .load(conn)?;
                if beyond_cap.is_empty() {
                    return Ok(Vec::new());
                }
                diesel::update(sessions::table.filter(sessions::id.eq_any(beyond_cap)))
                    .set((
                        sessions::revoked_at.eq(now),
                        sessions::revoked_reason.eq(RevokeReason::Evicted.as_str()),
                    ))
                    .returning(sessions::id)
                    .get_results::<TextUuid>(conn)
            })
            .await?;
        Ok(to_ids(evicted))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.find", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let id = TextUuid(id.as_uuid());
        let row = self
            .db
            .read("loading a session", move |conn| {
                sessions::table
                    .find(id)
                    .select(SessionRow::as_select())
                    .first::<SessionRow>(conn)
                    .optional()
            })
            .await?;
        row.map(decode).transpose()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.touch", otel.kind = "client", db.system.name = "sqlite"))]
    async fn touch(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let (id, now) = (TextUuid(id.as_uuid()), Micros(now));
        // One conditional UPDATE: a concurrent revocation commits before it (no row
        // matches) or after it (the row was active when bumped), never in between.
        let touched = self
            .db
            .write("touching a session", move |conn| {
                diesel::update(
                    sessions::table
                        .find(id)
                        .filter(sessions::revoked_at.is_null())
                        .filter(sessions::expires_at.gt(now)),
                )
                .set(sessions::last_used_at.eq(now))
                .execute(conn)
            })
            .await?;
        Ok(touched == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.list_active", otel.kind = "client", db.system.name = "sqlite"))]
    async fn list_active(&self, user: UserId, now: Timestamp) -> Result<Vec<Session>, StoreError> {
        let (user, now) = (TextUuid(user.as_uuid()), Micros(now));
        let rows = self
            .db
            .read("listing active sessions", move |conn| {
                sessions::table
                    .select(SessionRow::as_select())
                    .filter(sessions::user_id.eq(user))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(now))
                    .order((sessions::created_at.desc(), sessions::id.desc()))
                    .load::<SessionRow>(conn)
            })
            .await?;
        decode_all(rows)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.revoke", otel.kind = "client", db.system.name = "sqlite"))]
    async fn revoke(
        &self,
        id: SessionId,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (id, now) = (TextUuid(id.as_uuid()), Micros(now));
        let revoked = self
            .db
            .write("revoking a session", move |conn| {
                diesel::update(
                    sessions::table
                        .find(id)
                        .filter(sessions::revoked_at.is_null()),
                )
                .set((
                    sessions::revoked_at.eq(now),
                    sessions::revoked_reason.eq(reason.as_str()),
                ))
                .execute(conn)
            })
            .await?;
        Ok(revoked == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.revoke_all", otel.kind = "client", db.system.name = "sqlite"))]
    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        let (user, now) = (TextUuid(user.as_uuid()), Micros(now));
        let keep = keep.map(|k| TextUuid(k.as_uuid()));
        // One UPDATE … RETURNING: atomic, and reports exactly the rows it changed.
        let revoked = self
            .db
            .write("revoking a user's sessions", move |conn| {
                // `IS NOT NULL` (no keep) holds for every row: no exception.
                let target = sessions::table
                    .filter(sessions::user_id.eq(user))
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::id.nullable().is_not(keep));
                diesel::update(target)
                    .set((
                        sessions::revoked_at.eq(now),
                        sessions::revoked_reason.eq(reason.as_str()),
                    ))
                    .returning(sessions::id)
                    .get_results::<TextUuid>(conn)
            })
            .await?;
        Ok(to_ids(revoked))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "SessionRepository.purge", otel.kind = "client", db.system.name = "sqlite"))]
    async fn purge(
        &self,
        expired_before: Timestamp,
        revoked_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let (expired_before, revoked_before) = (Micros(expired_before), Micros(revoked_before));
        let deleted = self
            .db
            .write("purging sessions", move |conn| {
                diesel::delete(
                    sessions::table.filter(
                        sessions::expires_at
                            .lt(expired_before)
                            .or(sessions::revoked_at.lt(revoked_before).assume_not_null()),
                    ),
                )
                .execute(conn)
            })
            .await?;
        u64::try_from(deleted).map_err(StoreError::unexpected)
    }
}
