//! `UserRepository` on `users`.

use async_trait::async_trait;
use diesel::expression::functions::declare_sql_function;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;
use portcullis_domain::ports::{UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{Email, StoreError, User, UserId, Username};

use crate::error::{settle, settle_user_write};

mod last_admin;
use crate::pool::{PgPool, checkout};
use crate::rows::UserRow;
use crate::schema::users;

#[declare_sql_function]
extern "SQL" {
    /// SQL `lower(text)`: the expression the unique indexes are built on.
    fn lower(x: Text) -> Text;
    /// SQL `lower(text)` over a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(x: Nullable<Text>) -> Nullable<Text>;
}

/// Accounts in `users`. Uniqueness of email and username is enforced by the unique
/// indexes `users_email_key` / `users_username_key` on `lower(...)`, so concurrent
/// writers cannot both win; their violations map to `EmailTaken` / `UsernameTaken`.
#[derive(Clone)]
pub struct PgUserRepository {
    pool: PgPool,
}

impl PgUserRepository {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    async fn find_one<F>(
        &self,
        context: &'static str,
        filter: F,
    ) -> Result<Option<User>, StoreError>
    where
        F: FnOnce(
            users::BoxedQuery<'static, diesel::pg::Pg>,
        ) -> users::BoxedQuery<'static, diesel::pg::Pg>,
    {
        let mut conn = checkout(&self.pool).await?;
        let result = filter(users::table.into_boxed())
            .select(UserRow::as_select())
            .first::<UserRow>(&mut conn)
            .await
            .optional();
        let row = settle(&mut conn, context, result).await?;
        Ok(row.map(User::try_from).transpose()?)
    }
}

/// `%pattern%` for ILIKE, with the pattern's own `%`, `_` and `\` taken literally.
fn contains_pattern(q: &str) -> String {
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait]
impl UserRepository for PgUserRepository {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.insert", otel.kind = "client", db.system.name = "postgresql"))]
    async fn insert(&self, user: &User) -> Result<(), UserWriteError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::insert_into(users::table)
            .values(UserRow::from(user))
            .execute(&mut conn)
            .await;
        settle_user_write(&mut conn, "inserting a user", result).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_id", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_one("loading a user by id", |q| {
            q.filter(users::id.eq(id.as_uuid()))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_email", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let email = email.as_str().to_owned();
        self.find_one("loading a user by email", |q| {
            q.filter(lower(users::email).eq(lower(email)))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.find_by_username", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let username = username.as_str().to_owned();
        self.find_one("loading a user by username", |q| {
            q.filter(lower_nullable(users::username).eq(lower(username).nullable()))
        })
        .await
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.update", otel.kind = "client", db.system.name = "postgresql"))]
    async fn update(&self, user: &User) -> Result<(), UserWriteError> {
        let mut conn = checkout(&self.pool).await?;
        let result = last_admin::update(&mut conn, UserRow::from(user)).await;
        match last_admin::settle(&mut conn, "updating a user", result).await? {
            0 => Err(UserWriteError::NotFound),
            _ => Ok(()),
        }
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.delete", otel.kind = "client", db.system.name = "postgresql"))]
    async fn delete(&self, id: UserId) -> Result<bool, UserWriteError> {
        let mut conn = checkout(&self.pool).await?;
        // Sessions, tokens, identities and MFA rows go by ON DELETE CASCADE, in the
        // same statement; audit events are not foreign keys and stay.
        let result = last_admin::delete(&mut conn, id.as_uuid()).await;
        let deleted = last_admin::settle(&mut conn, "deleting a user", result).await?;
        Ok(deleted > 0)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.list", otel.kind = "client", db.system.name = "postgresql"))]
    async fn list(&self, query: &UserListQuery) -> Result<Vec<User>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let mut select = users::table
            .select(UserRow::as_select())
            .order(users::id.asc())
            .limit(i64::from(query.limit))
            .into_boxed();
        if let Some(after) = query.after {
            select = select.filter(users::id.gt(after.as_uuid()));
        }
        if let Some(q) = query.q.as_deref() {
            let pattern = contains_pattern(q);
            select = select.filter(
                users::email
                    .ilike(pattern.clone())
                    .or(users::name.ilike(pattern.clone()))
                    .nullable()
                    .or(users::username.ilike(pattern)),
            );
        }
        let result = select.load::<UserRow>(&mut conn).await;
        let rows = settle(&mut conn, "listing users", result).await?;
        rows.into_iter()
            .map(|row| User::try_from(row).map_err(StoreError::from))
            .collect()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "UserRepository.count_admins", otel.kind = "client", db.system.name = "postgresql"))]
    async fn count_admins(&self) -> Result<u64, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = users::table
            .filter(users::role.eq(portcullis_domain::Role::Admin.as_str()))
            .count()
            .get_result(&mut conn)
            .await;
        let count: i64 = settle(&mut conn, "counting admins", result).await?;
        u64::try_from(count).map_err(StoreError::unexpected)
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(contains_pattern("a_b%c\\d"), "%a\\_b\\%c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
