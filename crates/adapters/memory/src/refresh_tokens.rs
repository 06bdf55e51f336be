//! `MemoryRefreshTokenStore`.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::ports::{NewFamily, RefreshTokenStore, Rotation, RotationVerdict};
use portcullis_domain::{
    DeviceFingerprint, RefreshTokenHash, SealedSecret, SessionId, StoreError, Timestamp, UserId,
};

use crate::lock::lock;
use crate::sweep::SweepSchedule;

/// Refresh-token families in memory, one per session, with the exact rotation rules of
/// [`RefreshTokenStore::rotate`], each decided under one lock acquisition. A revoked
/// family stays as a tombstone (flagged, tokens kept) until it would have expired.
/// Expired families and tombstones are dropped when met and swept as the map grows.
#[derive(Debug, Default)]
pub struct MemoryRefreshTokenStore {
    state: Mutex<Families>,
}

#[derive(Debug, Default)]
struct Families {
    by_session: HashMap<SessionId, Family>,
    by_user: HashMap<UserId, HashSet<SessionId>>,
    sweep: SweepSchedule,
}

#[derive(Debug)]
struct Family {
    user_id: UserId,
    fingerprint: DeviceFingerprint,
    current: RefreshTokenHash,
    previous: Option<Previous>,
    /// Every token before `previous`: presenting one is reuse.
    older: HashSet<RefreshTokenHash>,
    /// Last issue or rotation plus its idle TTL.
    idle_expiry: Timestamp,
    absolute_expiry: Timestamp,
    /// Revoked: a tombstone that answers `Reused` for used tokens until it expires.
    revoked: bool,
}

/// The token replaced by the last rotation, with what the grace window needs.
#[derive(Debug)]
struct Previous {
    hash: RefreshTokenHash,
    rotated_at: Timestamp,
    sealed_successor: SealedSecret,
}

impl Family {
    fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.idle_expiry || now >= self.absolute_expiry
    }

    fn device_differs(&self, rotation: &Rotation) -> bool {
        rotation.check_device && rotation.fingerprint != self.fingerprint
    }

    /// Whether `token` is one this family rotated away.
    fn has_used(&self, token: &RefreshTokenHash) -> bool {
        self.previous.as_ref().is_some_and(|p| p.hash == *token) || self.older.contains(token)
    }
}

/// What to do with the family after a verdict.
enum Effect {
    Keep,
    Revoke,
}

impl Families {
    fn insert(&mut self, session: SessionId, family: Family, now: Timestamp) {
        self.by_user
            .entry(family.user_id)
            .or_default()
            .insert(session);
        self.by_session.insert(session, family);
        if self.sweep.due(self.by_session.len()) {
            let expired: Vec<SessionId> = self
                .by_session
                .iter()
                .filter(|(_, f)| f.is_expired(now))
                .map(|(&id, _)| id)
                .collect();
            for id in expired {
                self.remove(id);
            }
            self.sweep.swept(self.by_session.len());
        }
    }

    fn remove(&mut self, session: SessionId) {
        if let Some(family) = self.by_session.remove(&session)
            && let Some(ids) = self.by_user.get_mut(&family.user_id)
        {
            ids.remove(&session);
            if ids.is_empty() {
                self.by_user.remove(&family.user_id);
            }
        }
    }
}

/// Applies the rules of [`RefreshTokenStore::rotate`] to an unexpired family.
fn decide(family: &mut Family, r: &Rotation) -> (RotationVerdict, Effect) {
    let user_id = family.user_id;
    if family.revoked {
        let verdict = if family.has_used(&r.presented) {
            RotationVerdict::Reused { user_id }
        } else {
            RotationVerdict::Unknown
        };
        return (verdict, Effect::Keep);
    }
    if r.presented == family.current {
        if family.device_differs(r) {
            return (RotationVerdict::DeviceMismatch { user_id }, Effect::Revoke);
        }
        let replaced = std::mem::replace(&mut family.current, r.successor);
        let previous = family.previous.replace(Previous {
            hash: replaced,
            rotated_at: r.now,
            sealed_successor: r.sealed_successor,
        });
        if let Some(previous) = previous {
            family.older.insert(previous.hash);
        }
        family.idle_expiry = r.now + r.idle_ttl;
        return (RotationVerdict::Rotated { user_id }, Effect::Keep);
    }
    if let Some(previous) = family.previous.as_ref().filter(|p| p.hash == r.presented) {
        if r.now < previous.rotated_at + r.grace {
            if family.device_differs(r) {
                return (RotationVerdict::DeviceMismatch { user_id }, Effect::Revoke);
            }
            let sealed_successor = previous.sealed_successor;
            return (
                RotationVerdict::WithinGrace {
                    user_id,
                    sealed_successor,
                },
                Effect::Keep,
            );
        }
        return (RotationVerdict::Reused { user_id }, Effect::Revoke);
    }
    if family.older.contains(&r.presented) {
        return (RotationVerdict::Reused { user_id }, Effect::Revoke);
    }
    (RotationVerdict::Unknown, Effect::Keep)
}

impl MemoryRefreshTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl RefreshTokenStore for MemoryRefreshTokenStore {
    async fn issue(&self, family: &NewFamily) -> Result<(), StoreError> {
        let mut state = lock(&self.state)?;
        // Re-issuing a session id starts the family over.
        state.remove(family.session_id);
        state.insert(
            family.session_id,
            Family {
                user_id: family.user_id,
                fingerprint: family.fingerprint,
                current: family.token,
                previous: None,
                older: HashSet::new(),
                idle_expiry: family.now + family.idle_ttl,
                absolute_expiry: family.absolute_expiry,
                revoked: false,
            },
            family.now,
        );
        Ok(())
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<RotationVerdict, StoreError> {
        let mut state = lock(&self.state)?;
        let Some(family) = state.by_session.get_mut(&rotation.session_id) else {
            return Ok(RotationVerdict::Unknown);
        };
        if family.is_expired(rotation.now) {
            // Dead already: dropping it is what a TTL would have done.
            state.remove(rotation.session_id);
            return Ok(RotationVerdict::Unknown);
        }
        let (verdict, effect) = decide(family, rotation);
        if matches!(effect, Effect::Revoke) {
            family.revoked = true;
        }
        Ok(verdict)
    }

    async fn revoke_family(&self, session: SessionId) -> Result<(), StoreError> {
        // No `now` here: an expired family turned tombstone is still expired, so it
        // answers `Unknown` when met and is swept like any other.
        if let Some(family) = lock(&self.state)?.by_session.get_mut(&session) {
            family.revoked = true;
        }
        Ok(())
    }

    async fn revoke_user(&self, user: UserId) -> Result<(), StoreError> {
        let mut guard = lock(&self.state)?;
        let state = &mut *guard;
        for session in state.by_user.get(&user).into_iter().flatten() {
            if let Some(family) = state.by_session.get_mut(session) {
                family.revoked = true;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portcullis_domain::RefreshToken;
    use portcullis_testkit::{secs, t0};
    use uuid::Uuid;

    use super::*;

    fn family(now: Timestamp) -> NewFamily {
        let session_id = SessionId::from_uuid(Uuid::now_v7());
        NewFamily {
            session_id,
            user_id: UserId::from_uuid(Uuid::now_v7()),
            token: RefreshToken::new(session_id, [1; 32]).hash(),
            fingerprint: DeviceFingerprint::from_bytes([0; 32]),
            idle_ttl: secs(60),
            absolute_expiry: now + secs(3600),
            now,
        }
    }

    #[tokio::test]
    async fn expired_families_are_swept_with_their_user_index() {
        let store = MemoryRefreshTokenStore::new();
        for _ in 0..5000 {
            store.issue(&family(t0())).await.unwrap();
        }
        for _ in 0..5000 {
            store.issue(&family(t0() + secs(600))).await.unwrap();
        }
        let state = store.state.lock().unwrap();
        assert!(state.by_session.len() <= 5000, "{}", state.by_session.len());
        assert_eq!(state.by_user.len(), state.by_session.len());
    }

    #[tokio::test]
    async fn tombstones_are_swept_with_their_user_index() {
        let store = MemoryRefreshTokenStore::new();
        let f = family(t0());
        store.issue(&f).await.unwrap();
        store.revoke_user(f.user_id).await.unwrap();
        store.revoke_user(f.user_id).await.unwrap();
        assert!(store.state.lock().unwrap().by_session[&f.session_id].revoked);
        for _ in 0..SweepSchedule::MIN {
            store.issue(&family(t0() + secs(600))).await.unwrap();
        }
        let state = store.state.lock().unwrap();
        assert!(!state.by_session.contains_key(&f.session_id));
        assert!(!state.by_user.contains_key(&f.user_id));
    }
}
