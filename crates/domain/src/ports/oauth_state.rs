//! `OAuthStateStore`: the server side of an OAuth sign-in in flight.

use std::fmt;

use async_trait::async_trait;

use crate::Timestamp;
use crate::error::StoreError;
use crate::oauth::{OAuthDigest, PkceVerifier, ProviderName};

/// What the server remembers between sending a browser to a provider and the
/// provider sending it back, keyed by the digest of the `state`.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthStateRecord {
    /// The provider the state was issued for (a state on another provider's callback
    /// is refused: mix-up defence).
    pub provider: ProviderName,
    /// The PKCE verifier whose S256 challenge went to the provider.
    pub pkce_verifier: PkceVerifier,
    /// Where the browser goes afterwards (already checked against the allow-list).
    pub redirect_to: String,
    /// Digest of the random value in the browser's binding cookie.
    pub binding: OAuthDigest,
    /// The state is refused from this instant on.
    pub expires_at: Timestamp,
}

impl fmt::Debug for OAuthStateRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthStateRecord")
            .field("provider", &self.provider)
            .field("redirect_to", &self.redirect_to)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Short-lived, single-use OAuth states, shared by every instance.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OAuthStateStore: Send + Sync + 'static {
    /// Stores a record under a state digest until `record.expires_at` (`now` is the
    /// caller's clock; the store keeps the record at least until then).
    ///
    /// # Errors
    /// Only [`StoreError`].
    async fn put(
        &self,
        state: OAuthDigest,
        record: &OAuthStateRecord,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// Removes and returns the record of a state, atomically.
    ///
    /// # Errors
    /// Only [`StoreError`]. MUST return `Ok(None)` for an unknown state, a state
    /// already taken, and a state whose `expires_at` is not after `now`. Of N
    /// concurrent `take`s of one state (on any number of instances), exactly one MUST
    /// get the record.
    async fn take(
        &self,
        state: OAuthDigest,
        now: Timestamp,
    ) -> Result<Option<OAuthStateRecord>, StoreError>;
}
