//! Where the database lives and how it is shared. This crate reads no environment: the
//! server maps `DATABASE_URL=sqlite://path` (see [`SqliteConfig::from_url`]) onto a
//! [`SqliteConfig`].

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file `cargo run` uses when no `DATABASE_URL` is set.
pub const DEFAULT_PATH: &str = "./data/portcullis.db";

/// Everything [`crate::SqliteStores::open_with`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteConfig {
    /// The database file; created (with its directory) when missing.
    pub path: PathBuf,
    /// Read-only connections, used concurrently (default 4). Writes always go through
    /// the one writer connection.
    pub readers: usize,
    /// How long SQLite itself waits for a lock another process holds (`busy_timeout`,
    /// default 5 s). Inside one process the writer queue makes this wait rare.
    pub busy_timeout: Duration,
    /// How long an operation waits for the writer or a reader before it fails as
    /// `Unavailable` (default 5 s).
    pub wait_timeout: Duration,
}

impl SqliteConfig {
    /// Default number of reader connections.
    pub const DEFAULT_READERS: usize = 4;
    /// Default `busy_timeout`.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
    /// Default wait for a connection.
    pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(5);

    /// A configuration with every default and this file.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            readers: Self::DEFAULT_READERS,
            busy_timeout: Self::DEFAULT_BUSY_TIMEOUT,
            wait_timeout: Self::DEFAULT_WAIT_TIMEOUT,
        }
    }

    /// The configuration for `sqlite://PATH` (or `sqlite:PATH`): `sqlite://data/a.db`
    /// is the relative path `data/a.db`, `sqlite:///var/lib/a.db` the absolute one.
    /// `None` for any other scheme or an empty path.
    pub fn from_url(url: &str) -> Option<Self> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        (!path.is_empty()).then(|| Self::new(path))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Default for SqliteConfig {
    /// [`DEFAULT_PATH`] with every default.
    fn default() -> Self {
        Self::new(DEFAULT_PATH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_relative_and_absolute_files() {
        let path = |url| SqliteConfig::from_url(url).map(|c| c.path);
        assert_eq!(path("sqlite://data/a.db"), Some(PathBuf::from("data/a.db")));
        assert_eq!(
            path("sqlite:///var/lib/a.db"),
            Some(PathBuf::from("/var/lib/a.db"))
        );
        assert_eq!(path("sqlite:a.db"), Some(PathBuf::from("a.db")));
        assert_eq!(path("sqlite://"), None);
        assert_eq!(path("postgres://localhost/db"), None);
    }
}
