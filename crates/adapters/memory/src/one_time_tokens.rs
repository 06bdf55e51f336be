//! `MemoryOneTimeTokens`.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::{OneTimeToken, OneTimeTokenRepository, TokenPurpose};
use portcullis_domain::{StoreError, Timestamp, UserId};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// Password-reset and email-verification token digests in memory: at most one token
/// per (user, purpose), so the map is bounded by the number of accounts. Expired tokens
/// are dropped when presented, and swept as the map grows (`replace` carries no time, so
/// the sweep uses the latest time `consume` was given).
#[derive(Debug, Default)]
pub struct MemoryOneTimeTokens {
    state: Mutex<Tokens>,
}

#[derive(Debug, Default)]
struct Tokens {
    by_hash: HashMap<[u8; 32], OneTimeToken>,
    by_owner: HashMap<(UserId, TokenPurpose), [u8; 32]>,
    /// The latest `now` seen: tokens that expired by then are dead for good.
    latest_now: Option<Timestamp>,
    sweep: SweepSchedule,
}

impl Tokens {
    fn remove(&mut self, hash: &[u8; 32]) {
        if let Some(token) = self.by_hash.remove(hash) {
            let key = (token.user_id, token.purpose);
            if self.by_owner.get(&key) == Some(hash) {
                self.by_owner.remove(&key);
            }
        }
    }
}

impl Tokens {
    fn sweep_expired(&mut self) {
        if let Some(now) = self.latest_now {
            let expired: Vec<[u8; 32]> = self
                .by_hash
                .values()
                .filter(|t| t.expires_at <= now)
                .map(|t| t.hash)
                .collect();
            for hash in expired {
                self.remove(&hash);
            }
        }
        let len = self.by_hash.len();
        self.sweep.swept(len);
    }
}

impl MemoryOneTimeTokens {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl OneTimeTokenRepository for MemoryOneTimeTokens {
    async fn replace(&self, token: &OneTimeToken) -> Result<(), StoreError> {
        let mut state = lock(&self.state)?;
        if let Some(older) = state.by_owner.get(&(token.user_id, token.purpose)).copied() {
            state.remove(&older);
        }
        // A digest collision with another user's token would be a broken invariant:
        // drop the other one rather than let it point at the wrong owner.
        state.remove(&token.hash);
        state.by_hash.insert(token.hash, token.clone());
        state
            .by_owner
            .insert((token.user_id, token.purpose), token.hash);
        if state.sweep.due(state.by_hash.len()) {
            state.sweep_expired();
        }
        Ok(())
    }

    async fn consume(
        &self,
        hash: [u8; 32],
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mut state = lock(&self.state)?;
        state.latest_now = state.latest_now.max(Some(now));
        let Some(token) = state.by_hash.get(&hash) else {
            return Ok(None);
        };
        if token.purpose != purpose {
            // Presented for the wrong flow: refuse without spending it.
            return Ok(None);
        }
        let user = (now < token.expires_at).then_some(token.user_id);
        // Used or expired: either way it never works again.
        state.remove(&hash);
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use portcullis_testkit::{secs, t0};
    use uuid::Uuid;

    use super::*;

    fn token(n: u32, expires_at: Timestamp) -> OneTimeToken {
        let mut hash = [0; 32];
        hash[..4].copy_from_slice(&n.to_be_bytes());
        OneTimeToken {
            hash,
            purpose: TokenPurpose::PasswordReset,
            user_id: UserId::from_uuid(Uuid::now_v7()),
            expires_at,
        }
    }

    #[tokio::test]
    async fn expired_tokens_are_swept() {
        let repo = MemoryOneTimeTokens::new();
        for n in 0..5000 {
            repo.replace(&token(n, t0() + secs(60))).await.unwrap();
        }
        // A consumption tells the store what time it is.
        repo.consume([9; 32], TokenPurpose::PasswordReset, t0() + secs(600))
            .await
            .unwrap();
        for n in 5000..10_000 {
            repo.replace(&token(n, t0() + secs(3600))).await.unwrap();
        }
        let state = repo.state.lock().unwrap();
        assert!(state.by_hash.len() <= 5000, "{}", state.by_hash.len());
        assert_eq!(state.by_owner.len(), state.by_hash.len());
    }
}
