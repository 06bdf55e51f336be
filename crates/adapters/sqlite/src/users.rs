//! `UserRepository` on `users`.

mod last_admin;

use async_trait::async_trait;
use diesel::expression::functions::declare_sql_function;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use portcullis_domain::ports::{UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{Email, StoreError, User, UserId, Username};
use portcullis_sql_common::policy::{ADMIN, contains_pattern};

use crate::db::SqliteDb;
use crate::error::user_write_error;
use crate::rows::{UserRow, decode, decode_all};
use crate::schema::users;
use crate::types::{TextUuid, casefold};

#[declare_sql_function]
extern "SQL" {
    /// SQL `lower(text)`: the expression the unique indexes are built on.
    fn lower(x: Text) -> Text;
    /// SQL `lower(text)` over a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(x: Nullable<Text>) -> Nullable<Text>;
}

/// Accounts in `users`. Uniqueness of email and username is enforced by the unique
/// indexes `users_email_key` / `users_username_key` on `lower(...)`; their violations
/// map to `EmailTaken` / `UsernameTaken`. Writes run on the single writer, so the
/// last-admin guard reads and writes without interleaving.
#[derive(Clone, Debug)]
pub struct SqliteUserRepository {
    db: SqliteDb,
}

impl SqliteUserRepository {
    /// A repository on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }

    async fn find_one<F>(
        &self,
        context: &'static str,
        filter: F,
    ) -> Result<Option<User>, StoreError>
    where
        F: FnOnce(
                users::BoxedQuery<'static, diesel::sqlite::Sqlite>,
            ) -> users::BoxedQuery<'static, diesel::sqlite::Sqlite>
            + Send
            + 'static,
    {
        let row = self
            .db
            .read(context, move |conn| {
                filter(users::table.into_boxed())
                    .select(UserRow::as_select())
                    .first::<UserRow>(conn)
                    .optional()
            })
            .await?;
        row.map(decode).transpose()
    }
}

#[async_trait]
impl UserRepository for SqliteUserRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.insert", otel.kind = "client", db.system.name = "sqlite"))]
    async fn insert(&self, user: &User) -> Result<(), UserWriteError> {
        let row = UserRow::from(user);
        let result = self
            .db
            .write_with(move |conn| diesel::insert_into(users::table).values(row).execute(conn))
            .await?;
        result.map_err(|err| user_write_error("inserting a user", err))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_id", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_one("loading a user by id", move |q| {
            q.filter(users::id.eq(TextUuid(id.as_uuid())))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_email", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let email = email.as_str().to_owned();
        self.find_one("loading a user by email", move |q| {
            q.filter(lower(users::email).eq(lower(email)))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_username", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let username = username.as_str().to_owned();
        self.find_one("loading a user by username", move |q| {
            q.filter(lower_nullable(users::username).eq(lower(username).nullable()))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.update", otel.kind = "client", db.system.name = "sqlite"))]
    async fn update(&self, user: &User) -> Result<(), UserWriteError> {
        match last_admin::update(&self.db, UserRow::from(user)).await? {
            0 => Err(UserWriteError::NotFound),
            _ => Ok(()),
        }
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.delete", otel.kind = "client", db.system.name = "sqlite"))]
    async fn delete(&self, id: UserId) -> Result<bool, UserWriteError> {
        // Sessions, tokens, identities and MFA rows go by ON DELETE CASCADE, in the
        // same statement; audit events are not foreign keys and stay.
        Ok(last_admin::delete(&self.db, TextUuid(id.as_uuid())).await? > 0)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.list", otel.kind = "client", db.system.name = "sqlite"))]
    async fn list(&self, query: &UserListQuery) -> Result<Vec<User>, StoreError> {
        let limit = i64::from(query.limit);
        let after = query.after.map(|a| TextUuid(a.as_uuid()));
        // Emails are stored lower-cased and usernames are ASCII, which SQLite's LIKE
        // folds; names can hold any letter, so they are compared case-folded.
        let pattern = query
            .q
            .as_deref()
            .map(|q| contains_pattern(&q.to_lowercase()));
        let rows = self
            .db
            .read("listing users", move |conn| {
                let mut select = users::table
                    .select(UserRow::as_select())
                    .order(users::id.asc())
                    .limit(limit)
                    .into_boxed();
                if let Some(after) = after {
                    select = select.filter(users::id.gt(after));
                }
                if let Some(pattern) = pattern {
                    select = select.filter(
                        users::email
                            .like(pattern.clone())
                            .escape('\\')
                            .or(casefold(users::name).like(pattern.clone()).escape('\\'))
                            .nullable()
                            .or(users::username.like(pattern).escape('\\')),
                    );
                }
                select.load::<UserRow>(conn)
            })
            .await?;
        decode_all(rows)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.count_admins", otel.kind = "client", db.system.name = "sqlite"))]
    async fn count_admins(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .db
            .read("counting admins", |conn| {
                users::table
                    .filter(users::role.eq(ADMIN))
                    .count()
                    .get_result(conn)
            })
            .await?;
        u64::try_from(count).map_err(StoreError::unexpected)
    }
}
