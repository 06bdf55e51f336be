//! Updates and deletes that must never leave the service without an admin.
//!
//! Each runs as one `BEGIN IMMEDIATE` transaction on the single writer: it reads the
//! stored role and the number of admins, then writes, and no other write can come in
//! between (in this process the writer is exclusive; across processes the IMMEDIATE
//! lock is). Two admins demoting each other concurrently therefore serialize: the
//! second sees one admin left.

use diesel::SqliteConnection;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use portcullis_domain::ports::UserWriteError;
use portcullis_sql_common::policy::ADMIN;

use crate::db::SqliteDb;
use crate::error::user_write_error;
use crate::rows::UserRow;
use crate::schema::users;
use crate::types::TextUuid;

/// Why a guarded write stopped.
#[derive(Debug)]
enum Stop {
    /// A statement failed.
    Query(DieselError),
    /// The write would leave no admin.
    LastAdmin,
}

impl From<DieselError> for Stop {
    fn from(err: DieselError) -> Self {
        Self::Query(err)
    }
}

/// Refuses when `id` is stored as an admin and is the only one. Returns whether the
/// account exists.
fn guard(conn: &mut SqliteConnection, id: TextUuid) -> Result<bool, Stop> {
    let stored: Option<String> = users::table
        .find(id)
        .select(users::role)
        .first(conn)
        .optional()?;
    let Some(role) = stored else {
        return Ok(false);
    };
    if role == ADMIN {
        let admins: i64 = users::table
            .filter(users::role.eq(ADMIN))
            .count()
            .get_result(conn)?;
        if admins <= 1 {
            return Err(Stop::LastAdmin);
        }
    }
    Ok(true)
}

async fn run(
    db: &SqliteDb,
    context: &'static str,
    job: impl FnOnce(&mut SqliteConnection) -> Result<usize, Stop> + Send + 'static,
) -> Result<usize, UserWriteError> {
    match db.write_tx_with(job).await? {
        Ok(n) => Ok(n),
        Err(Stop::LastAdmin) => Err(UserWriteError::LastAdmin),
        Err(Stop::Query(err)) => Err(user_write_error(context, err)),
    }
}

/// Replaces every column of the row `row.id`; returns the rows changed (0: unknown id).
pub(super) async fn update(db: &SqliteDb, row: UserRow) -> Result<usize, UserWriteError> {
    run(db, "updating a user", move |conn| {
        // Only a demotion can remove an admin; keeping the role needs no guard.
        if row.role != ADMIN && !guard(conn, row.id)? {
            return Ok(0);
        }
        Ok(diesel::update(users::table.find(row.id))
            .set(&row)
            .execute(conn)?)
    })
    .await
}

/// Deletes the row `id`; returns the rows deleted (0: unknown id).
pub(super) async fn delete(db: &SqliteDb, id: TextUuid) -> Result<usize, UserWriteError> {
    run(db, "deleting a user", move |conn| {
        if !guard(conn, id)? {
            return Ok(0);
        }
        Ok(diesel::delete(users::table.find(id)).execute(conn)?)
    })
    .await
}
