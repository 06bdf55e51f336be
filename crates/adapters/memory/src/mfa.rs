//! `MemoryMfaRepository`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Mutex;

use async_trait::async_trait;
use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::ports::MfaRepository;
use portcullis_domain::{StoreError, Timestamp, UserId};

use crate::lock::lock;

/// TOTP enrolments in memory, one per user.
#[derive(Debug, Default)]
pub struct MemoryMfaRepository {
    enrollments: Mutex<HashMap<UserId, TotpEnrollment>>,
}

impl MemoryMfaRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl MfaRepository for MemoryMfaRepository {
    async fn find(&self, user: UserId) -> Result<Option<TotpEnrollment>, StoreError> {
        Ok(lock(&self.enrollments)?.get(&user).cloned())
    }

    async fn save_pending(&self, enrollment: &TotpEnrollment) -> Result<bool, StoreError> {
        let mut enrollments = lock(&self.enrollments)?;
        let pending = TotpEnrollment {
            confirmed_at: None,
            ..enrollment.clone()
        };
        match enrollments.entry(enrollment.user_id) {
            Entry::Occupied(slot) if slot.get().confirmed_at.is_some() => Ok(false),
            Entry::Occupied(mut slot) => {
                slot.insert(pending);
                Ok(true)
            }
            Entry::Vacant(slot) => {
                slot.insert(pending);
                Ok(true)
            }
        }
    }

    async fn confirm(
        &self,
        user: UserId,
        step: u64,
        recovery_code_hashes: &[[u8; 32]],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut enrollments = lock(&self.enrollments)?;
        match enrollments.get_mut(&user) {
            Some(e) if e.confirmed_at.is_none() => {
                e.confirmed_at = Some(now);
                e.last_used_step = Some(step);
                e.recovery_code_hashes = recovery_code_hashes.to_vec();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn use_step(&self, user: UserId, step: u64) -> Result<bool, StoreError> {
        let mut enrollments = lock(&self.enrollments)?;
        match enrollments.get_mut(&user) {
            Some(e) if e.last_used_step.is_none_or(|last| step > last) => {
                e.last_used_step = Some(step);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn consume_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
    ) -> Result<bool, StoreError> {
        let mut enrollments = lock(&self.enrollments)?;
        let Some(e) = enrollments.get_mut(&user) else {
            return Ok(false);
        };
        match e.recovery_code_hashes.iter().position(|h| *h == code_hash) {
            Some(i) => {
                e.recovery_code_hashes.remove(i);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete(&self, user: UserId) -> Result<bool, StoreError> {
        Ok(lock(&self.enrollments)?.remove(&user).is_some())
    }
}
