//! Errors shared by the use cases.
//!
//! Policy: each operation has its own enum with the outcomes a client can act on;
//! infrastructure failures travel inside them as one [`Failure`] that keeps its kind
//! (unavailable → 503, anything else → 500), mapped once at the HTTP edge.

use portcullis_domain::StoreError;
use portcullis_domain::ports::HashError;

/// A dependency failed; the client cannot fix it by changing the request.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The password hasher failed or is overloaded.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Randomness, signing or another internal step failed.
    #[error("internal failure")]
    Internal(#[source] anyhow::Error),
}

impl Failure {
    /// Whether retrying later may succeed (503 rather than 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Store(StoreError::Unavailable(_)) | Self::Hash(HashError::Overloaded)
        )
    }
}

/// Gives an operation error `From<StoreError>`, `From<HashError>` and
/// `From<anyhow::Error>` through its `Failure` variant, so `?` keeps the kind.
macro_rules! failure_conversions {
    ($ty:ty) => {
        impl From<portcullis_domain::StoreError> for $ty {
            fn from(e: portcullis_domain::StoreError) -> Self {
                Self::Failure($crate::Failure::Store(e))
            }
        }
        impl From<portcullis_domain::ports::HashError> for $ty {
            fn from(e: portcullis_domain::ports::HashError) -> Self {
                Self::Failure($crate::Failure::Hash(e))
            }
        }
        impl From<$crate::Failure> for $ty {
            fn from(f: $crate::Failure) -> Self {
                Self::Failure(f)
            }
        }
        impl From<anyhow::Error> for $ty {
            fn from(e: anyhow::Error) -> Self {
                Self::Failure($crate::Failure::Internal(e))
            }
        }
    };
}
pub(crate) use failure_conversions;
