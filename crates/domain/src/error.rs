//! Errors shared by every storage port.
//!
//! Policy: adapters map what they know precisely (a unique violation becomes the
//! operation's own `Duplicate`-like variant) and wrap everything else into
//! [`StoreError`]; `Unavailable` is a dependency that does not answer (503 at the edge),
//! `Unexpected` is a bug or a broken invariant (500). Driver text never reaches a client.

/// A storage operation failed for a reason the caller cannot fix by changing its input.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backing service is down, overloaded or timed out. Retrying later may work.
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else: corrupt data, a broken invariant, a driver bug.
    #[error("unexpected storage failure")]
    Unexpected(#[source] anyhow::Error),
}

impl StoreError {
    /// Wraps an error the adapter did not expect.
    pub fn unexpected(err: impl Into<anyhow::Error>) -> Self {
        Self::Unexpected(err.into())
    }

    /// Wraps an error that means the dependency is not answering.
    pub fn unavailable(err: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(err.into())
    }
}
