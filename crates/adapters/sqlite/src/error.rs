//! Error policy: a unique violation of `users_email_key` / `users_username_key` becomes
//! the port's own `*Taken` answer; a database file that is locked, busy, unreadable or
//! full is `StoreError::Unavailable`; anything else is `StoreError::Unexpected` with
//! context. SQLite's text stays in the error chain (for logs), never in a message of ours.

use std::path::PathBuf;

use deadpool::managed::PoolError;
use diesel::result::{ConnectionError, DatabaseErrorKind, Error as DieselError};
use portcullis_domain::StoreError;
use portcullis_domain::ports::UserWriteError;
use portcullis_sql_common::policy::{USERS_EMAIL_KEY, USERS_USERNAME_KEY};

/// Why [`crate::SqliteStores::open`] (or [`crate::SqliteDb::open`]) failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// `:memory:` (or `mode=memory`) was given: every pooled connection would see its
    /// own empty database. Use a file.
    #[error("an in-memory SQLite database cannot back a pool; give a file path")]
    InMemory,
    /// The path is not valid UTF-8 (SQLite takes the path as a string).
    #[error("the SQLite path {0:?} is not valid UTF-8")]
    NotUtf8(PathBuf),
    /// The directory of the database file could not be created.
    #[error("cannot create the directory of the SQLite database {path:?}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The embedded migrations could not be applied.
    #[error("the SQLite migrations failed")]
    Migrate(#[source] anyhow::Error),
    /// The pools could not be built from the configuration (a zero size).
    #[error("invalid SQLite pool configuration")]
    Config(#[source] anyhow::Error),
    /// The file could not be opened or read.
    #[error("the SQLite database cannot be opened")]
    Unreachable(#[source] StoreError),
}

/// What a pooled connection's creation fails with.
pub(crate) type ManagerError = ConnectionError;

/// Maps a failure to obtain a pooled connection: every kind means the database is not
/// there for us right now (the pool is saturated, closed, or the file cannot be opened).
pub(crate) fn pool_error(err: PoolError<ManagerError>) -> StoreError {
    match err {
        PoolError::Timeout(_) | PoolError::Closed | PoolError::Backend(_) => {
            StoreError::unavailable(
                anyhow::Error::new(err).context("no SQLite connection available"),
            )
        }
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
            StoreError::unexpected(anyhow::Error::new(err).context("SQLite connection pool"))
        }
    }
}

/// Maps a failed statement; `context` says what the adapter was doing.
pub(crate) fn query_error(context: &'static str, err: DieselError) -> StoreError {
    if is_unavailable(&err) {
        StoreError::unavailable(anyhow::Error::new(err).context(context))
    } else {
        StoreError::unexpected(anyhow::Error::new(err).context(context))
    }
}

/// SQLite's messages (`sqlite3_errstr`) for the result codes that mean "the file is not
/// usable right now" rather than "this statement is wrong": BUSY, LOCKED, IOERR, FULL,
/// CANTOPEN, READONLY, NOMEM. diesel reports them all as `DatabaseErrorKind::Unknown`
/// with SQLite's message, so the message is what tells them apart.
const UNAVAILABLE_MESSAGES: [&str; 7] = [
    "database is locked",
    "database table is locked",
    "disk I/O error",
    "database or disk is full",
    "unable to open database file",
    "attempt to write a readonly database",
    "out of memory",
];

/// Whether a statement failed because of the database file's state rather than the
/// statement: worth a 503 and a retry, not a 500.
fn is_unavailable(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message();
            UNAVAILABLE_MESSAGES.iter().any(|m| message.starts_with(m))
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        DieselError::RollbackErrorOnCommit { commit_error, .. } => is_unavailable(commit_error),
        _ => false,
    }
}

/// The answer a unique violation on a `users` index stands for, if it is one. SQLite
/// names the index of an expression: `UNIQUE constraint failed: index 'users_email_key'`.
pub(crate) fn taken(err: &DieselError) -> Option<UserWriteError> {
    let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = err else {
        return None;
    };
    let names = |index: &str| info.message().contains(&format!("'{index}'"));
    if names(USERS_EMAIL_KEY) {
        Some(UserWriteError::EmailTaken)
    } else if names(USERS_USERNAME_KEY) {
        Some(UserWriteError::UsernameTaken)
    } else {
        None
    }
}

/// Maps a failed write of a user: the two unique indexes are answers, not failures.
pub(crate) fn user_write_error(context: &'static str, err: DieselError) -> UserWriteError {
    taken(&err).unwrap_or_else(|| UserWriteError::Store(query_error(context, err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn locked_busy_and_io_errors_are_unavailable() {
        for message in [
            "database is locked",
            "database table is locked",
            "disk I/O error",
            "database or disk is full",
        ] {
            let err = db_error(DatabaseErrorKind::Unknown, message);
            assert!(
                matches!(query_error("testing", err), StoreError::Unavailable(_)),
                "{message}"
            );
        }
    }

    #[test]
    fn other_errors_are_unexpected_with_context() {
        let err = db_error(
            DatabaseErrorKind::CheckViolation,
            "CHECK constraint failed: sessions_fingerprint_length_check",
        );
        let mapped = query_error("storing a session", err);
        let StoreError::Unexpected(inner) = &mapped else {
            panic!("expected Unexpected, got {mapped:?}");
        };
        assert_eq!(inner.to_string(), "storing a session");
        assert!(format!("{inner:#}").contains("CHECK constraint failed"));
        let malformed = db_error(
            DatabaseErrorKind::Unknown,
            "database disk image is malformed",
        );
        assert!(matches!(
            query_error("t", malformed),
            StoreError::Unexpected(_)
        ));
    }

    #[test]
    fn unique_violations_map_by_index_name() {
        let violation = |message: &str| db_error(DatabaseErrorKind::UniqueViolation, message);
        assert!(matches!(
            user_write_error(
                "t",
                violation("UNIQUE constraint failed: index 'users_email_key'")
            ),
            UserWriteError::EmailTaken
        ));
        assert!(matches!(
            user_write_error(
                "t",
                violation("UNIQUE constraint failed: index 'users_username_key'")
            ),
            UserWriteError::UsernameTaken
        ));
        assert!(matches!(
            user_write_error("t", violation("UNIQUE constraint failed: users.id")),
            UserWriteError::Store(StoreError::Unexpected(_))
        ));
    }
}
