//! `MfaRepository` on `mfa_totp` and `mfa_recovery_codes`.

use async_trait::async_trait;
use diesel::dsl::now as db_now;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::ports::MfaRepository;
use portcullis_domain::{StoreError, Timestamp, UserId};

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::rows::{RecoveryCodeRow, TotpRow, to_bigint};
use crate::schema::{mfa_recovery_codes, mfa_totp};

/// TOTP enrolments in `mfa_totp`, recovery-code digests in `mfa_recovery_codes` (a used
/// code keeps its row, with `used_at`; deleting the enrolment deletes its codes).
#[derive(Clone)]
pub struct PgMfaRepository {
    pool: PgPool,
}

impl PgMfaRepository {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn step_to_db(step: u64) -> Result<i64, StoreError> {
    to_bigint("mfa_totp", "last_used_step", step).map_err(StoreError::from)
}

fn code_rows(user: UserId, hashes: &[[u8; 32]]) -> Vec<RecoveryCodeRow> {
    hashes
        .iter()
        .map(|h| RecoveryCodeRow::unused(user, h))
        .collect()
}

#[async_trait]
impl MfaRepository for PgMfaRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.find", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find(&self, user: UserId) -> Result<Option<TotpEnrollment>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let id = user.as_uuid();
        // One snapshot for both tables: the codes belong to the enrolment read.
        let result = conn
            .build_transaction()
            .read_only()
            .repeatable_read()
            .run::<_, diesel::result::Error, _>(async move |conn| {
                let Some(totp) = mfa_totp::table
                    .find(id)
                    .select(TotpRow::as_select())
                    .first::<TotpRow>(conn)
                    .await
                    .optional()?
                else {
                    return Ok(None);
                };
                let codes = mfa_recovery_codes::table
                    .select(mfa_recovery_codes::code_hash)
                    .filter(mfa_recovery_codes::user_id.eq(id))
                    .filter(mfa_recovery_codes::used_at.is_null())
                    .order(mfa_recovery_codes::code_hash)
                    .load::<Vec<u8>>(conn)
                    .await?;
                Ok(Some((totp, codes)))
            })
            .await;
        let found = settle(&mut conn, "loading an MFA enrolment", result).await?;
        let Some((totp, codes)) = found else {
            return Ok(None);
        };
        Ok(Some(totp.into_enrollment(codes)?))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.save_pending", otel.kind = "client", db.system.name = "postgresql"))]
    async fn save_pending(&self, enrollment: &TotpEnrollment) -> Result<bool, StoreError> {
        let user = enrollment.user_id;
        let last_used_step = enrollment.last_used_step.map(step_to_db).transpose()?;
        let secret = enrollment.encrypted_secret.clone();
        let codes = code_rows(user, &enrollment.recovery_code_hashes);
        let mut conn = checkout(&self.pool).await?;
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                // Insert, or replace a pending enrolment; the WHERE leaves a confirmed one
                // alone (0 rows), atomically with respect to a concurrent confirm.
                let upsert = diesel::insert_into(mfa_totp::table)
                    .values((
                        mfa_totp::user_id.eq(user.as_uuid()),
                        mfa_totp::encrypted_secret.eq(secret),
                        mfa_totp::last_used_step.eq(last_used_step),
                    ))
                    .on_conflict(mfa_totp::user_id)
                    .do_update()
                    .set((
                        mfa_totp::encrypted_secret.eq(excluded(mfa_totp::encrypted_secret)),
                        mfa_totp::last_used_step.eq(excluded(mfa_totp::last_used_step)),
                        mfa_totp::created_at.eq(db_now),
                    ));
                let saved = diesel::query_dsl::methods::FilterDsl::filter(
                    upsert,
                    mfa_totp::confirmed_at.is_null(),
                )
                .execute(conn)
                .await?;
                if saved == 0 {
                    return Ok(false);
                }
                diesel::delete(
                    mfa_recovery_codes::table
                        .filter(mfa_recovery_codes::user_id.eq(user.as_uuid())),
                )
                .execute(conn)
                .await?;
                diesel::insert_into(mfa_recovery_codes::table)
                    .values(codes)
                    .execute(conn)
                    .await?;
                Ok(true)
            })
            .await;
        settle(&mut conn, "saving a pending MFA enrolment", result).await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.confirm", otel.kind = "client", db.system.name = "postgresql"))]
    async fn confirm(
        &self,
        user: UserId,
        step: u64,
        recovery_code_hashes: &[[u8; 32]],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let step = step_to_db(step)?;
        let codes = code_rows(user, recovery_code_hashes);
        let mut conn = checkout(&self.pool).await?;
        let result = conn
            .transaction::<_, diesel::result::Error, _>(async move |conn| {
                let confirmed = diesel::update(
                    mfa_totp::table
                        .find(user.as_uuid())
                        .filter(mfa_totp::confirmed_at.is_null()),
                )
                .set((
                    mfa_totp::confirmed_at.eq(now),
                    mfa_totp::last_used_step.eq(step),
                ))
                .execute(conn)
                .await?;
                if confirmed == 0 {
                    return Ok(false);
                }
                diesel::delete(
                    mfa_recovery_codes::table
                        .filter(mfa_recovery_codes::user_id.eq(user.as_uuid())),
                )
                .execute(conn)
                .await?;
                diesel::insert_into(mfa_recovery_codes::table)
                    .values(codes)
                    .execute(conn)
                    .await?;
                Ok(true)
            })
            .await;
        settle(&mut conn, "confirming an MFA enrolment", result).await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.use_step", otel.kind = "client", db.system.name = "postgresql"))]
    async fn use_step(&self, user: UserId, step: u64) -> Result<bool, StoreError> {
        let step = step_to_db(step)?;
        let mut conn = checkout(&self.pool).await?;
        // One conditional UPDATE: of concurrent uses of one step exactly one matches.
        let result = diesel::update(
            mfa_totp::table.find(user.as_uuid()).filter(
                mfa_totp::last_used_step
                    .is_null()
                    .or(mfa_totp::last_used_step.lt(step).assume_not_null()),
            ),
        )
        .set(mfa_totp::last_used_step.eq(step))
        .execute(&mut conn)
        .await;
        let used = settle(&mut conn, "recording a used TOTP step", result).await?;
        Ok(used == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.consume_recovery_code", otel.kind = "client", db.system.name = "postgresql"))]
    async fn consume_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
    ) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::update(
            mfa_recovery_codes::table
                .find((user.as_uuid(), code_hash.to_vec()))
                .filter(mfa_recovery_codes::used_at.is_null()),
        )
        .set(mfa_recovery_codes::used_at.eq(db_now))
        .execute(&mut conn)
        .await;
        let used = settle(&mut conn, "consuming a recovery code", result).await?;
        Ok(used == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.delete", otel.kind = "client", db.system.name = "postgresql"))]
    async fn delete(&self, user: UserId) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // The recovery codes go with it (ON DELETE CASCADE).
        let result = diesel::delete(mfa_totp::table.find(user.as_uuid()))
            .execute(&mut conn)
            .await;
        let deleted = settle(&mut conn, "deleting an MFA enrolment", result).await?;
        Ok(deleted > 0)
    }
}
