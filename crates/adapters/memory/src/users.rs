//! `MemoryUserRepository`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::{UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{Email, Role, StoreError, User, UserId, Username};

use crate::lock::lock;

/// Accounts in memory, unique by (already normalized) email and username.
///
/// [`UserRepository::delete`] removes only the account: it cannot cascade into the other
/// memory stores, so the core revokes the account's sessions and refresh families (and
/// the other stores drop their rows by user) before deleting it.
#[derive(Debug, Default)]
pub struct MemoryUserRepository {
    state: Mutex<Users>,
}

#[derive(Debug, Default)]
struct Users {
    /// Ordered by id for keyset pagination.
    by_id: BTreeMap<UserId, User>,
    by_email: HashMap<Email, UserId>,
    by_username: HashMap<Username, UserId>,
}

impl Users {
    fn admins(&self) -> usize {
        self.by_id
            .values()
            .filter(|user| user.role == Role::Admin)
            .count()
    }

    /// Refuses `user` when another account holds its email or username.
    fn check_unique(&self, user: &User) -> Result<(), UserWriteError> {
        if self
            .by_email
            .get(&user.email)
            .is_some_and(|&id| id != user.id)
        {
            return Err(UserWriteError::EmailTaken);
        }
        let taken = user
            .username
            .as_ref()
            .and_then(|name| self.by_username.get(name))
            .is_some_and(|&id| id != user.id);
        if taken {
            return Err(UserWriteError::UsernameTaken);
        }
        Ok(())
    }

    fn unindex(&mut self, user: &User) {
        self.by_email.remove(&user.email);
        if let Some(name) = &user.username {
            self.by_username.remove(name);
        }
    }

    fn store(&mut self, user: &User) {
        self.by_email.insert(user.email.clone(), user.id);
        if let Some(name) = &user.username {
            self.by_username.insert(name.clone(), user.id);
        }
        self.by_id.insert(user.id, user.clone());
    }
}

impl MemoryUserRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Whether `user` matches the lower-cased search text.
fn matches(user: &User, needle: &str) -> bool {
    user.email.as_str().contains(needle)
        || user.name.as_str().to_lowercase().contains(needle)
        || user
            .username
            .as_ref()
            .is_some_and(|name| name.as_str().contains(needle))
}

#[async_trait]
impl UserRepository for MemoryUserRepository {
    async fn insert(&self, user: &User) -> Result<(), UserWriteError> {
        let mut users = lock(&self.state)?;
        if users.by_id.contains_key(&user.id) {
            return Err(StoreError::unexpected(anyhow::anyhow!(
                "user id {} already exists",
                user.id
            ))
            .into());
        }
        users.check_unique(user)?;
        users.store(user);
        Ok(())
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.state)?.by_id.get(&id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let users = lock(&self.state)?;
        Ok(users
            .by_email
            .get(email)
            .and_then(|id| users.by_id.get(id))
            .cloned())
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        let users = lock(&self.state)?;
        Ok(users
            .by_username
            .get(username)
            .and_then(|id| users.by_id.get(id))
            .cloned())
    }

    async fn update(&self, user: &User) -> Result<(), UserWriteError> {
        let mut users = lock(&self.state)?;
        let Some(old) = users.by_id.get(&user.id).cloned() else {
            return Err(UserWriteError::NotFound);
        };
        users.check_unique(user)?;
        if old.role == Role::Admin && user.role != Role::Admin && users.admins() <= 1 {
            return Err(UserWriteError::LastAdmin);
        }
        users.unindex(&old);
        users.store(user);
        Ok(())
    }

    async fn delete(&self, id: UserId) -> Result<bool, UserWriteError> {
        let mut users = lock(&self.state)?;
        let Some(old) = users.by_id.get(&id) else {
            return Ok(false);
        };
        if old.role == Role::Admin && users.admins() <= 1 {
            return Err(UserWriteError::LastAdmin);
        }
        if let Some(old) = users.by_id.remove(&id) {
            users.unindex(&old);
        }
        Ok(true)
    }

    async fn list(&self, query: &UserListQuery) -> Result<Vec<User>, StoreError> {
        let limit = usize::try_from(query.limit.clamp(1, 100)).unwrap_or(100);
        let needle = query.q.as_deref().map(str::to_lowercase);
        let lower = query.after.map_or(Bound::Unbounded, Bound::Excluded);
        let users = lock(&self.state)?;
        Ok(users
            .by_id
            .range((lower, Bound::Unbounded))
            .map(|(_, user)| user)
            .filter(|user| needle.as_deref().is_none_or(|n| matches(user, n)))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn count_admins(&self) -> Result<u64, StoreError> {
        let admins = lock(&self.state)?.admins();
        Ok(u64::try_from(admins).unwrap_or(u64::MAX))
    }
}
