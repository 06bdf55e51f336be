//! Opening one configured connection, and the deadpool manager that does it for the
//! writer and reader pools.

use std::path::Path;
use std::time::Duration;

use deadpool::managed::{Manager, Metrics, RecycleError, RecycleResult};
use diesel::connection::{AnsiTransactionManager, SimpleConnection as _, TransactionManager};
use diesel::result::ConnectionError;
use diesel::{Connection as _, SqliteConnection};

use crate::error::{ManagerError, OpenError};
use crate::types::casefold_utils;

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The one connection that writes.
    Writer,
    /// A connection that may only read (`query_only`): it can never take the write lock.
    Reader,
}

/// The path as SQLite takes it, refusing in-memory databases (each pooled connection
/// would get its own, empty one).
pub(crate) fn database_path(path: &Path) -> Result<String, OpenError> {
    let text = path
        .to_str()
        .ok_or_else(|| OpenError::NotUtf8(path.to_owned()))?;
    if text == ":memory:" || text.contains("mode=memory") {
        return Err(OpenError::InMemory);
    }
    Ok(text.to_owned())
}

/// Opens `path` with the settings every connection needs. Blocking: call it on the
/// blocking pool.
///
/// - `busy_timeout`: wait this long for another process' lock instead of failing.
/// - `foreign_keys = ON`: SQLite enforces foreign keys (and their `ON DELETE CASCADE`)
///   only when asked, per connection.
/// - `synchronous = NORMAL`: in WAL mode a commit is durable against a crash of the
///   process; only a power loss can undo the last commits, never corrupt the file.
/// - readers get `query_only`, so a bug cannot make them take the write lock.
/// - `casefold()`, the Unicode-aware lower case used by the user search.
pub(crate) fn establish(
    path: &str,
    role: Role,
    busy_timeout: Duration,
) -> Result<SqliteConnection, ConnectionError> {
    let mut conn = SqliteConnection::establish(path)?;
    let mut pragmas = format!(
        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        busy_timeout.as_millis()
    );
    if role == Role::Reader {
        pragmas.push_str(" PRAGMA query_only = ON;");
    }
    conn.batch_execute(&pragmas)
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    casefold_utils::register_impl(&mut conn, |text: String| text.to_lowercase())
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Creates pooled connections of one [`Role`] on the blocking pool.
pub(crate) struct ConnectionManager {
    pub(crate) path: String,
    pub(crate) role: Role,
    pub(crate) busy_timeout: Duration,
}

impl Manager for ConnectionManager {
    type Type = SqliteConnection;
    type Error = ManagerError;

    async fn create(&self) -> Result<SqliteConnection, ManagerError> {
        let (path, role, busy_timeout) = (self.path.clone(), self.role, self.busy_timeout);
        tokio::task::spawn_blocking(move || establish(&path, role, busy_timeout))
            .await
            .unwrap_or_else(|err| {
                Err(ConnectionError::BadConnection(format!(
                    "opening a SQLite connection did not finish: {err}"
                )))
            })
    }

    /// A job that panicked inside a transaction leaves its connection in it: such a
    /// connection is dropped (which rolls the transaction back) instead of reused.
    async fn recycle(
        &self,
        conn: &mut SqliteConnection,
        _: &Metrics,
    ) -> RecycleResult<ManagerError> {
        let status = AnsiTransactionManager::transaction_manager_status_mut(conn);
        match status.transaction_depth() {
            Ok(None) => Ok(()),
            Ok(Some(_)) | Err(_) => Err(RecycleError::message(
                "the connection was left inside a transaction",
            )),
        }
    }
}
