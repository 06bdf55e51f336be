//! `MemoryOAuthIdentities`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::ports::OAuthIdentityRepository;
use portcullis_domain::{StoreError, UserId};

use crate::lock::lock;

/// Links between provider accounts and local users in memory, unique by
/// (provider, subject).
#[derive(Debug, Default)]
pub struct MemoryOAuthIdentities {
    links: Mutex<HashMap<(ProviderName, String), OAuthIdentity>>,
}

impl MemoryOAuthIdentities {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl OAuthIdentityRepository for MemoryOAuthIdentities {
    async fn find(
        &self,
        provider: ProviderName,
        subject: &str,
    ) -> Result<Option<OAuthIdentity>, StoreError> {
        let links = lock(&self.links)?;
        Ok(links.get(&(provider, subject.to_owned())).cloned())
    }

    async fn link(&self, identity: &OAuthIdentity) -> Result<bool, StoreError> {
        let mut links = lock(&self.links)?;
        let key = (identity.provider, identity.subject.clone());
        if links.contains_key(&key) {
            return Ok(false);
        }
        links.insert(key, identity.clone());
        Ok(true)
    }

    async fn list_for_user(&self, user: UserId) -> Result<Vec<OAuthIdentity>, StoreError> {
        let links = lock(&self.links)?;
        let mut mine: Vec<OAuthIdentity> = links
            .values()
            .filter(|link| link.user_id == user)
            .cloned()
            .collect();
        mine.sort_by(|a, b| {
            (a.created_at, a.provider.as_str(), &a.subject).cmp(&(
                b.created_at,
                b.provider.as_str(),
                &b.subject,
            ))
        });
        Ok(mine)
    }

    async fn unlink(&self, user: UserId, provider: ProviderName) -> Result<bool, StoreError> {
        let mut links = lock(&self.links)?;
        let before = links.len();
        links.retain(|_, link| !(link.user_id == user && link.provider == provider));
        Ok(links.len() < before)
    }
}
