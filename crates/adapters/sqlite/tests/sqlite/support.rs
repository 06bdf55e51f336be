//! Fresh database files in temporary directories.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use diesel::{Connection as _, SqliteConnection};
use portcullis_sqlite::SqliteStores;
use tempfile::TempDir;

/// A migrated database file in its own temporary directory (removed on drop).
pub struct TempDb {
    pub stores: SqliteStores,
    dir: TempDir,
}

impl TempDb {
    /// A new, migrated database.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stores = SqliteStores::open(dir.path().join("portcullis.db"))
            .await
            .expect("opening a fresh SQLite database");
        Self { stores, dir }
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("portcullis.db")
    }

    /// A plain connection of the test's own, to look at (or tamper with) the tables.
    pub fn raw(&self) -> SqliteConnection {
        SqliteConnection::establish(self.path().to_str().unwrap()).unwrap()
    }
}

/// The databases one contract suite created: each `make()` gets a new one, kept until
/// the suite ends.
#[derive(Clone, Default)]
pub struct Databases {
    inner: Arc<Mutex<Vec<TempDb>>>,
}

impl Databases {
    /// A new database; returns its stores.
    pub async fn fresh(&self) -> SqliteStores {
        let db = TempDb::new().await;
        let stores = db.stores.clone();
        self.inner.lock().unwrap().push(db);
        stores
    }

    /// How many databases the suite used.
    pub fn count(&self) -> usize {
        self.inner.lock().unwrap().len()
    }
}

/// An error with every cause in its chain, `: `-separated (what a log line shows).
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
