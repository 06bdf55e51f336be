//! Updates and deletes that must never leave the service without an admin.
//!
//! A write that cannot demote or remove an admin (the stored row is no admin) is one
//! conditional statement, re-checked by Postgres on the latest row version. Otherwise
//! the transaction locks every admin row, in id order (so two such transactions cannot
//! deadlock), and refuses when the target is the only one. Two admins demoting each
//! other concurrently therefore serialize: the second sees one admin left.

use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use portcullis_domain::Role;
use portcullis_domain::ports::UserWriteError;
use uuid::Uuid;

use crate::error::settle_user_write;
use crate::rows::UserRow;
use crate::schema::users;

const ADMIN: &str = Role::Admin.as_str();

/// Why a guarded write stopped.
#[derive(Debug)]
pub(super) enum Stop {
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

/// Maps a guarded write's result: `LastAdmin` as itself, statement errors as every
/// other user write.
pub(super) async fn settle(
    conn: &mut AsyncPgConnection,
    context: &'static str,
    result: Result<usize, Stop>,
) -> Result<usize, UserWriteError> {
    match result {
        Ok(n) => Ok(n),
        Err(Stop::LastAdmin) => Err(UserWriteError::LastAdmin),
        Err(Stop::Query(err)) => settle_user_write(conn, context, Err(err)).await,
    }
}

/// Locks every admin row and says whether `id` is the only admin.
async fn is_only_admin(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    let admins: Vec<Uuid> = users::table
        .select(users::id)
        .filter(users::role.eq(ADMIN))
        .order(users::id)
        .for_update()
        .load(conn)
        .await?;
    Ok(admins == [id])
}

/// Replaces every column of the row `row.id`; returns the rows changed (0: unknown id).
pub(super) async fn update(conn: &mut AsyncPgConnection, row: UserRow) -> Result<usize, Stop> {
    let id = row.id;
    let demotes = row.role != ADMIN;
    conn.transaction::<_, Stop, _>(async move |conn| {
        if demotes {
            let changed = diesel::update(users::table.find(id).filter(users::role.ne(ADMIN)))
                .set(&row)
                .execute(conn)
                .await?;
            if changed == 1 {
                return Ok(changed);
            }
            if is_only_admin(conn, id).await? {
                return Err(Stop::LastAdmin);
            }
        }
        Ok(diesel::update(users::table.find(id))
            .set(&row)
            .execute(conn)
            .await?)
    })
    .await
}

/// Deletes the row `id`; returns the rows deleted (0: unknown id).
pub(super) async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<usize, Stop> {
    conn.transaction::<_, Stop, _>(async move |conn| {
        let deleted = diesel::delete(users::table.find(id).filter(users::role.ne(ADMIN)))
            .execute(conn)
            .await?;
        if deleted == 1 {
            return Ok(deleted);
        }
        if is_only_admin(conn, id).await? {
            return Err(Stop::LastAdmin);
        }
        Ok(diesel::delete(users::table.find(id)).execute(conn).await?)
    })
    .await
}
