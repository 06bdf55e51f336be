//! Error policy: a unique violation becomes the port's own `*Taken` answer, decided by
//! constraint name; a database that cannot be reached, is saturated or asks for a retry
//! is `StoreError::Unavailable`; anything else is `StoreError::Unexpected` with context.
//! Driver text stays in the error chain (for logs) and never becomes a message of ours.

use diesel::IntoSql as _;
use diesel::result::{ConnectionError, DatabaseErrorKind, Error as DieselError, QueryResult};
use diesel::sql_types::Integer;
use diesel_async::pooled_connection::PoolError as ManagerError;
use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use portcullis_domain::StoreError;
use portcullis_domain::ports::UserWriteError;

/// The unique index behind `UserWriteError::EmailTaken` (migration `create_users`).
pub const USERS_EMAIL_KEY: &str = "users_email_key";
/// The unique index behind `UserWriteError::UsernameTaken` (migration `create_users`).
pub const USERS_USERNAME_KEY: &str = "users_username_key";

/// Why [`crate::connect`] could not give a working pool.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The pool could not be built from the configuration.
    #[error("invalid Postgres pool configuration")]
    Config(#[source] anyhow::Error),
    /// The pool was built but the database did not answer a first query.
    #[error("Postgres is not reachable")]
    Unreachable(#[source] StoreError),
}

/// Maps a failure to obtain a pooled connection.
pub(crate) fn pool_error(err: PoolError) -> StoreError {
    match err {
        PoolError::Timeout(_) | PoolError::Closed => {
            StoreError::unavailable(anyhow::Error::new(err).context("no pooled connection"))
        }
        PoolError::Backend(ManagerError::ConnectionError(conn)) => connection_error(conn),
        PoolError::Backend(ManagerError::QueryError(query)) => {
            query_error("checking a pooled connection", query)
        }
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
            StoreError::unexpected(anyhow::Error::new(err).context("connection pool"))
        }
    }
}

/// Maps a failure to open a connection: a bad URL is a configuration bug, anything else
/// (refused, timed out, authentication, too many clients) means the database is not
/// there for us right now.
pub(crate) fn connection_error(err: ConnectionError) -> StoreError {
    let context = "opening a Postgres connection";
    match err {
        ConnectionError::InvalidConnectionUrl(_) => {
            StoreError::unexpected(anyhow::Error::new(err).context(context))
        }
        _ => StoreError::unavailable(anyhow::Error::new(err).context(context)),
    }
}

/// Maps a failed query; `context` says what the adapter was doing.
pub(crate) fn query_error(context: &'static str, err: DieselError) -> StoreError {
    if is_unavailable(&err) {
        StoreError::unavailable(anyhow::Error::new(err).context(context))
    } else {
        StoreError::unexpected(anyhow::Error::new(err).context(context))
    }
}

/// Whether a query failed because of the connection or the server's state rather than
/// the statement: worth a 503 and a retry, not a 500.
fn is_unavailable(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(kind, _) => matches!(
            kind,
            DatabaseErrorKind::SerializationFailure
                | DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::UnableToSendCommand
                | DatabaseErrorKind::ReadOnlyTransaction
        ),
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_unavailable(commit_error),
        _ => false,
    }
}

/// The answer a unique violation on a `users` index stands for, if it is one.
fn taken(err: &DieselError) -> Option<UserWriteError> {
    let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = err else {
        return None;
    };
    match info.constraint_name() {
        Some(USERS_EMAIL_KEY) => Some(UserWriteError::EmailTaken),
        Some(USERS_USERNAME_KEY) => Some(UserWriteError::UsernameTaken),
        _ => None,
    }
}

/// Maps a failed write of a user: the two unique indexes are answers, not failures.
#[cfg(test)]
fn user_write_error(context: &'static str, err: DieselError) -> UserWriteError {
    taken(&err).unwrap_or_else(|| UserWriteError::Store(query_error(context, err)))
}

/// Maps the result of a statement run on `conn`, like [`query_error`], with one more
/// step for errors diesel could not classify (`DatabaseErrorKind::Unknown`, whose
/// SQLSTATE it drops): when the server ends a connection (restart, fail-over,
/// `pg_terminate_backend`) the statement in flight gets a FATAL error of that kind just
/// before the socket closes. A `SELECT 1` on the same connection tells the two apart:
/// it fails to send on a dying connection and succeeds on a healthy one. Only error
/// paths pay for it.
pub(crate) async fn settle<T>(
    conn: &mut AsyncPgConnection,
    context: &'static str,
    result: QueryResult<T>,
) -> Result<T, StoreError> {
    match result {
        Ok(value) => Ok(value),
        Err(err) => Err(classify(conn, context, err).await),
    }
}

/// [`settle`] for writes of users: unique violations of email and username first.
pub(crate) async fn settle_user_write<T>(
    conn: &mut AsyncPgConnection,
    context: &'static str,
    result: QueryResult<T>,
) -> Result<T, UserWriteError> {
    match result {
        Ok(value) => Ok(value),
        Err(err) => match taken(&err) {
            Some(answer) => Err(answer),
            None => Err(UserWriteError::Store(classify(conn, context, err).await)),
        },
    }
}

async fn classify(
    conn: &mut AsyncPgConnection,
    context: &'static str,
    err: DieselError,
) -> StoreError {
    if matches!(
        err,
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, _)
    ) {
        let probe = diesel::select(1_i32.into_sql::<Integer>())
            .get_result::<i32>(conn)
            .await;
        if probe.as_ref().is_err_and(is_unavailable) {
            return StoreError::unavailable(anyhow::Error::new(err).context(context));
        }
    }
    query_error(context, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialization_failures_and_lost_connections_are_unavailable() {
        for kind in [
            DatabaseErrorKind::SerializationFailure,
            DatabaseErrorKind::ClosedConnection,
            DatabaseErrorKind::UnableToSendCommand,
        ] {
            let err = DieselError::DatabaseError(kind, Box::new("driver text".to_owned()));
            assert!(matches!(
                query_error("testing", err),
                StoreError::Unavailable(_)
            ));
        }
    }

    #[test]
    fn other_database_errors_are_unexpected_with_context() {
        let err = DieselError::DatabaseError(
            DatabaseErrorKind::CheckViolation,
            Box::new("driver text".to_owned()),
        );
        let mapped = query_error("storing a session", err);
        let StoreError::Unexpected(inner) = &mapped else {
            panic!("expected Unexpected, got {mapped:?}");
        };
        assert_eq!(inner.to_string(), "storing a session");
        assert_eq!(mapped.to_string(), "unexpected storage failure");
        assert!(
            format!("{inner:#}").contains("driver text"),
            "the chain keeps the cause"
        );
    }

    #[test]
    fn unique_violations_map_by_constraint_name() {
        struct Info(&'static str);
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                "duplicate key value violates unique constraint"
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                Some("users")
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                Some(self.0)
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let violation = |name| {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, Box::new(Info(name)))
        };
        assert!(matches!(
            user_write_error("t", violation(USERS_EMAIL_KEY)),
            UserWriteError::EmailTaken
        ));
        assert!(matches!(
            user_write_error("t", violation(USERS_USERNAME_KEY)),
            UserWriteError::UsernameTaken
        ));
        assert!(matches!(
            user_write_error("t", violation("users_pkey")),
            UserWriteError::Store(StoreError::Unexpected(_))
        ));
    }
}
