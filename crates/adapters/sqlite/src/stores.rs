//! Every SQLite repository on one database, for the composition root.

use std::path::Path;
use std::sync::Arc;

use portcullis_domain::StoreError;
use portcullis_domain::ports::{
    AuditLog, MailOutbox, MfaRepository, OAuthIdentityRepository, OneTimeTokenRepository,
    SessionRepository, UserRepository,
};

use crate::config::SqliteConfig;
use crate::db::{SqliteDb, check_readers, prepare_file};
use crate::error::OpenError;
use crate::migrations::migrate_prepared;
use crate::{
    SqliteAuditLog, SqliteMailOutbox, SqliteMfaRepository, SqliteOAuthIdentities,
    SqliteOneTimeTokens, SqliteSessionRepository, SqliteUserRepository,
};

/// The repositories this crate implements, sharing one database, as the port objects
/// the core takes.
#[derive(Clone)]
pub struct SqliteStores {
    /// `UserRepository`.
    pub users: Arc<dyn UserRepository>,
    /// `SessionRepository`.
    pub sessions: Arc<dyn SessionRepository>,
    /// `AuditLog`.
    pub audit: Arc<dyn AuditLog>,
    /// `OneTimeTokenRepository`.
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    /// `OAuthIdentityRepository`.
    pub oauth_identities: Arc<dyn OAuthIdentityRepository>,
    /// `MfaRepository`.
    pub mfa: Arc<dyn MfaRepository>,
    /// `MailOutbox`.
    pub mail_outbox: Arc<dyn MailOutbox>,
    /// The database itself, for `/health` ([`SqliteStores::ping`]) and shutdown
    /// ([`SqliteDb::close`]).
    pub db: SqliteDb,
}

impl std::fmt::Debug for SqliteStores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStores")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl SqliteStores {
    /// Opens (or creates) the database file at `path` with the default settings,
    /// applies the pending embedded migrations, and returns every repository on it.
    ///
    /// # Errors
    /// [`OpenError`]: a bad path, a directory or file that cannot be created or opened,
    /// a failed migration.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(&SqliteConfig::new(path.as_ref())).await
    }

    /// [`SqliteStores::open`] with explicit settings.
    ///
    /// # Errors
    /// As [`SqliteStores::open`], and [`OpenError::Config`] for a zero reader count.
    pub async fn open_with(config: &SqliteConfig) -> Result<Self, OpenError> {
        check_readers(config)?;
        // Path errors (in-memory, not UTF-8, no directory) keep their own variants.
        let path = prepare_file(&config.path, config.busy_timeout).await?;
        let applied = migrate_prepared(path.clone(), config.busy_timeout)
            .await
            .map_err(OpenError::Migrate)?;
        if !applied.is_empty() {
            tracing::info!(path = %config.path.display(), ?applied, "SQLite migrations applied");
        }
        Ok(Self::new(SqliteDb::connect(path, config).await?))
    }

    /// Every repository on an already open (and migrated) database.
    pub fn new(db: SqliteDb) -> Self {
        Self {
            users: Arc::new(SqliteUserRepository::new(db.clone())),
            sessions: Arc::new(SqliteSessionRepository::new(db.clone())),
            audit: Arc::new(SqliteAuditLog::new(db.clone())),
            one_time_tokens: Arc::new(SqliteOneTimeTokens::new(db.clone())),
            oauth_identities: Arc::new(SqliteOAuthIdentities::new(db.clone())),
            mfa: Arc::new(SqliteMfaRepository::new(db.clone())),
            mail_outbox: Arc::new(SqliteMailOutbox::new(db.clone())),
            db,
        }
    }

    /// The `/health` database check: see [`SqliteDb::ping`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database does not answer in time.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }
}
