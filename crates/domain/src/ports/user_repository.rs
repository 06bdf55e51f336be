//! `UserRepository`: accounts.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::user::{Email, User, UserId, Username};

/// Why a user could not be written.
#[derive(Debug, thiserror::Error)]
pub enum UserWriteError {
    /// Another account has this email (case-insensitively).
    #[error("email already taken")]
    EmailTaken,
    /// Another account has this username (case-insensitively).
    #[error("username already taken")]
    UsernameTaken,
    /// No account with this id (update only).
    #[error("user not found")]
    NotFound,
    /// The change would demote or delete the last admin.
    #[error("last admin")]
    LastAdmin,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page request for [`UserRepository::list`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserListQuery {
    /// Case-insensitive substring of email, name or username.
    pub q: Option<String>,
    /// Only users whose id is greater than this one (the previous page's last id).
    pub after: Option<UserId>,
    /// Page size, 1–100.
    pub limit: u32,
}

/// Accounts, keyed by id, unique by email and by username.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync + 'static {
    /// Stores a new account.
    ///
    /// # Errors
    /// MUST return [`UserWriteError::EmailTaken`] / [`UserWriteError::UsernameTaken`] when
    /// another account holds the email / username, even under concurrent inserts (exactly
    /// one of N concurrent inserts of one email succeeds). MUST NOT leave a partial row.
    async fn insert(&self, user: &User) -> Result<(), UserWriteError>;

    /// Finds an account by id.
    ///
    /// # Errors
    /// Only [`StoreError`]; a missing account is `Ok(None)`.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Finds an account by its (normalized) email.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    /// Finds an account by its (normalized) username.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError>;

    /// Replaces every field of an existing account (the password hash included).
    ///
    /// # Errors
    /// MUST return [`UserWriteError::NotFound`] when no account has `user.id`, and the
    /// `*Taken` variants as [`UserRepository::insert`] does. MUST return
    /// [`UserWriteError::LastAdmin`] and change nothing when the stored account is the
    /// only admin and `user.role` is not admin — decided atomically, so two concurrent
    /// demotions of the last two admins cannot both succeed.
    async fn update(&self, user: &User) -> Result<(), UserWriteError>;

    /// Deletes an account. Returns whether it existed. Sessions, identities, tokens and
    /// MFA state of the account go with it (cascade); audit events stay.
    ///
    /// # Errors
    /// MUST return [`UserWriteError::LastAdmin`] and delete nothing when the account is
    /// the only admin (atomically, as for [`UserRepository::update`]); otherwise only
    /// [`UserWriteError::Store`].
    async fn delete(&self, id: UserId) -> Result<bool, UserWriteError>;

    /// One page of accounts in ascending id order (a stable order for cursors).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn list(&self, query: &UserListQuery) -> Result<Vec<User>, StoreError>;

    /// How many accounts have the admin role.
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn count_admins(&self) -> Result<u64, StoreError>;
}
