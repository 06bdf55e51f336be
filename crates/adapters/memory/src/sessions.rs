//! `MemorySessionRepository`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{RevokeReason, Session, SessionId, StoreError, Timestamp, UserId};

use crate::lock::lock;

/// Sessions in memory. Revoked and expired sessions stay until [`SessionRepository::purge`]
/// (the retention job) removes them, as in the SQL adapters.
///
/// `create` has no `now`: it takes the new session's `created_at` as the time, both to
/// decide which sessions are active and as the `revoked_at` of the evicted ones.
#[derive(Debug, Default)]
pub struct MemorySessionRepository {
    state: Mutex<Sessions>,
}

#[derive(Debug, Default)]
struct Sessions {
    by_id: HashMap<SessionId, Session>,
    by_user: HashMap<UserId, HashSet<SessionId>>,
}

impl Sessions {
    /// The sessions of `user`, in no particular order.
    fn of_user(&self, user: UserId) -> impl Iterator<Item = &Session> {
        self.by_user
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
    }

    /// Revokes `id` if it is not revoked yet; whether this call did.
    fn revoke(&mut self, id: SessionId, reason: RevokeReason, now: Timestamp) -> bool {
        match self.by_id.get_mut(&id) {
            Some(session) if session.revoked_at.is_none() => {
                session.revoked_at = Some(now);
                session.revoked_reason = Some(reason);
                true
            }
            _ => false,
        }
    }

    fn remove(&mut self, id: SessionId) {
        if let Some(session) = self.by_id.remove(&id)
            && let Some(ids) = self.by_user.get_mut(&session.user_id)
        {
            ids.remove(&id);
            if ids.is_empty() {
                self.by_user.remove(&session.user_id);
            }
        }
    }
}

impl MemorySessionRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl SessionRepository for MemorySessionRepository {
    async fn create(
        &self,
        session: &Session,
        max_active: u32,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut state = lock(&self.state)?;
        if state.by_id.contains_key(&session.id) {
            return Err(StoreError::unexpected(anyhow::anyhow!(
                "session id {} already exists",
                session.id
            )));
        }
        // "Now" for a creation is the new session's start: what is active then counts.
        let now = session.created_at;
        let mut active: Vec<(Timestamp, Timestamp, SessionId)> = state
            .of_user(session.user_id)
            .filter(|s| s.is_active(now))
            .map(|s| (s.last_used_at, s.created_at, s.id))
            .collect();
        // The new session is one of the `max_active`: keep at most `max_active - 1` others.
        let keep = usize::try_from(max_active.saturating_sub(1)).unwrap_or(usize::MAX);
        let mut evicted = Vec::new();
        if active.len() > keep {
            active.sort_unstable();
            let excess = active.len() - keep;
            for &(_, _, id) in &active[..excess] {
                if state.revoke(id, RevokeReason::Evicted, now) {
                    evicted.push(id);
                }
            }
        }
        state.by_id.insert(session.id, session.clone());
        state
            .by_user
            .entry(session.user_id)
            .or_default()
            .insert(session.id);
        Ok(evicted)
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(lock(&self.state)?.by_id.get(&id).cloned())
    }

    async fn touch(&self, id: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        let mut state = lock(&self.state)?;
        match state.by_id.get_mut(&id) {
            Some(session) if session.is_active(now) => {
                session.last_used_at = now;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn list_active(&self, user: UserId, now: Timestamp) -> Result<Vec<Session>, StoreError> {
        let state = lock(&self.state)?;
        let mut active: Vec<Session> = state
            .of_user(user)
            .filter(|s| s.is_active(now))
            .cloned()
            .collect();
        active.sort_unstable_by_key(|s| std::cmp::Reverse((s.created_at, s.id)));
        Ok(active)
    }

    async fn revoke(
        &self,
        id: SessionId,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(lock(&self.state)?.revoke(id, reason, now))
    }

    async fn revoke_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut state = lock(&self.state)?;
        let mut targets: Vec<(Timestamp, SessionId)> = state
            .of_user(user)
            .filter(|s| s.revoked_at.is_none() && Some(s.id) != keep)
            .map(|s| (s.created_at, s.id))
            .collect();
        targets.sort_unstable();
        Ok(targets
            .into_iter()
            .filter(|&(_, id)| state.revoke(id, reason, now))
            .map(|(_, id)| id)
            .collect())
    }

    async fn purge(
        &self,
        expired_before: Timestamp,
        revoked_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut state = lock(&self.state)?;
        let doomed: Vec<SessionId> = state
            .by_id
            .values()
            .filter(|s| {
                s.expires_at < expired_before || s.revoked_at.is_some_and(|at| at < revoked_before)
            })
            .map(|s| s.id)
            .collect();
        for &id in &doomed {
            state.remove(id);
        }
        Ok(u64::try_from(doomed.len()).unwrap_or(u64::MAX))
    }
}
