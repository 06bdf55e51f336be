//! `MfaRepository` on `mfa_totp` and `mfa_recovery_codes`.

use async_trait::async_trait;
use diesel::SqliteConnection;
use diesel::prelude::*;
use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::ports::MfaRepository;
use portcullis_domain::{StoreError, Timestamp, UserId};
use portcullis_sql_common::{TotpRecord, to_bigint};

use crate::db::SqliteDb;
use crate::rows::{RecoveryCodeRow, TotpRow};
use crate::schema::{mfa_recovery_codes, mfa_totp};
use crate::types::{Micros, TextUuid, db_now};

/// TOTP enrolments in `mfa_totp`, recovery-code digests in `mfa_recovery_codes` (a used
/// code keeps its row, with `used_at`; deleting the enrolment deletes its codes).
#[derive(Clone, Debug)]
pub struct SqliteMfaRepository {
    db: SqliteDb,
}

impl SqliteMfaRepository {
    /// A repository on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

fn step_to_db(step: u64) -> Result<i64, StoreError> {
    to_bigint("mfa_totp", "last_used_step", step).map_err(StoreError::from)
}

/// Replaces the user's recovery codes (inside the caller's transaction).
fn replace_codes(
    conn: &mut SqliteConnection,
    user: TextUuid,
    codes: Vec<RecoveryCodeRow>,
) -> QueryResult<()> {
    diesel::delete(mfa_recovery_codes::table.filter(mfa_recovery_codes::user_id.eq(user)))
        .execute(conn)?;
    diesel::insert_into(mfa_recovery_codes::table)
        .values(codes)
        .execute(conn)?;
    Ok(())
}

#[async_trait]
impl MfaRepository for SqliteMfaRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.find", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find(&self, user: UserId) -> Result<Option<TotpEnrollment>, StoreError> {
        let id = TextUuid(user.as_uuid());
        // One read transaction: the codes belong to the enrolment read (WAL snapshot).
        let found = self
            .db
            .read("loading an MFA enrolment", move |conn| {
                conn.transaction(|conn| {
                    let Some(totp) = mfa_totp::table
                        .find(id)
                        .select(TotpRow::as_select())
                        .first::<TotpRow>(conn)
                        .optional()?
                    else {
                        return Ok(None);
                    };
                    let codes = mfa_recovery_codes::table
                        .select(mfa_recovery_codes::code_hash)
                        .filter(mfa_recovery_codes::user_id.eq(id))
                        .filter(mfa_recovery_codes::used_at.is_null())
                        .order(mfa_recovery_codes::code_hash)
                        .load::<Vec<u8>>(conn)?;
                    Ok(Some((totp, codes)))
                })
            })
            .await?;
        let Some((totp, codes)) = found else {
            return Ok(None);
        };
        Ok(Some(TotpRecord::from(totp).into_enrollment(codes)?))
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.save_pending", otel.kind = "client", db.system.name = "sqlite"))]
    async fn save_pending(&self, enrollment: &TotpEnrollment) -> Result<bool, StoreError> {
        let user = TextUuid(enrollment.user_id.as_uuid());
        let last_used_step = enrollment.last_used_step.map(step_to_db).transpose()?;
        let secret = enrollment.encrypted_secret.clone();
        let codes = RecoveryCodeRow::unused(enrollment.user_id, &enrollment.recovery_code_hashes);
        // Read, then insert or replace, in one IMMEDIATE transaction: a concurrent
        // confirm comes entirely before (and the confirmed enrolment is kept) or after.
        self.db
            .write_tx("saving a pending MFA enrolment", move |conn| {
                let confirmed: Option<Option<Micros>> = mfa_totp::table
                    .find(user)
                    .select(mfa_totp::confirmed_at)
                    .first(conn)
                    .optional()?;
                match confirmed {
                    Some(Some(_)) => return Ok(false),
                    Some(None) => {
                        diesel::update(mfa_totp::table.find(user))
                            .set((
                                mfa_totp::encrypted_secret.eq(secret),
                                mfa_totp::last_used_step.eq(last_used_step),
                                mfa_totp::created_at.eq(db_now()),
                            ))
                            .execute(conn)?;
                    }
                    None => {
                        diesel::insert_into(mfa_totp::table)
                            .values((
                                mfa_totp::user_id.eq(user),
                                mfa_totp::encrypted_secret.eq(secret),
                                mfa_totp::last_used_step.eq(last_used_step),
                            ))
                            .execute(conn)?;
                    }
                }
                replace_codes(conn, user, codes)?;
                Ok(true)
            })
            .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.confirm", otel.kind = "client", db.system.name = "sqlite"))]
    async fn confirm(
        &self,
        user: UserId,
        step: u64,
        recovery_code_hashes: &[[u8; 32]],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let step = step_to_db(step)?;
        let codes = RecoveryCodeRow::unused(user, recovery_code_hashes);
        let (user, now) = (TextUuid(user.as_uuid()), Micros(now));
        self.db
            .write_tx("confirming an MFA enrolment", move |conn| {
                let confirmed = diesel::update(
                    mfa_totp::table
                        .find(user)
                        .filter(mfa_totp::confirmed_at.is_null()),
                )
                .set((
                    mfa_totp::confirmed_at.eq(now),
                    mfa_totp::last_used_step.eq(step),
                ))
                .execute(conn)?;
                if confirmed == 0 {
                    return Ok(false);
                }
                replace_codes(conn, user, codes)?;
                Ok(true)
            })
            .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.use_step", otel.kind = "client", db.system.name = "sqlite"))]
    async fn use_step(&self, user: UserId, step: u64) -> Result<bool, StoreError> {
        let step = step_to_db(step)?;
        let user = TextUuid(user.as_uuid());
        // One conditional UPDATE: of concurrent uses of one step exactly one matches.
        let used = self
            .db
            .write("recording a used TOTP step", move |conn| {
                diesel::update(
                    mfa_totp::table.find(user).filter(
                        mfa_totp::last_used_step
                            .is_null()
                            .or(mfa_totp::last_used_step.lt(step).assume_not_null()),
                    ),
                )
                .set(mfa_totp::last_used_step.eq(step))
                .execute(conn)
            })
            .await?;
        Ok(used == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.consume_recovery_code", otel.kind = "client", db.system.name = "sqlite"))]
    async fn consume_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
    ) -> Result<bool, StoreError> {
        let user = TextUuid(user.as_uuid());
        let used = self
            .db
            .write("consuming a recovery code", move |conn| {
                diesel::update(
                    mfa_recovery_codes::table
                        .find((user, code_hash.to_vec()))
                        .filter(mfa_recovery_codes::used_at.is_null()),
                )
                .set(mfa_recovery_codes::used_at.eq(db_now().nullable()))
                .execute(conn)
            })
            .await?;
        Ok(used == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "MfaRepository.delete", otel.kind = "client", db.system.name = "sqlite"))]
    async fn delete(&self, user: UserId) -> Result<bool, StoreError> {
        let user = TextUuid(user.as_uuid());
        // The recovery codes go with it (ON DELETE CASCADE).
        let deleted = self
            .db
            .write("deleting an MFA enrolment", move |conn| {
                diesel::delete(mfa_totp::table.find(user)).execute(conn)
            })
            .await?;
        Ok(deleted > 0)
    }
}
