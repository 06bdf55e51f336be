//! Taking a store's mutex.

use std::sync::{Mutex, MutexGuard};

use portcullis_domain::StoreError;

/// Locks a store's state. A poisoned lock means a thread panicked mid-update, so the
/// state may break an invariant: report it as an unexpected store failure rather than
/// serve possibly inconsistent data.
pub(crate) fn lock<T>(state: &Mutex<T>) -> Result<MutexGuard<'_, T>, StoreError> {
    state.lock().map_err(|_| {
        StoreError::unexpected(anyhow::anyhow!(
            "in-memory store lock poisoned: a writer panicked"
        ))
    })
}
