//! Mapping `redis` errors onto [`StoreError`].
//!
//! Policy: whatever means "Redis is not answering now" (I/O, refused or dropped
//! connections, timeouts, a loading / busy / failing-over server) is `Unavailable`
//! (503, retry later); everything else (script errors, wrong types, bad replies) is
//! `Unexpected` (500). Driver text goes into the error chain, never to a client.

use redis::{ErrorKind, RedisError, ServerErrorKind};

use portcullis_domain::StoreError;

/// Maps an error of the Redis operation `op`.
pub(crate) fn store_error(op: &'static str, err: RedisError) -> StoreError {
    let unavailable = err.is_io_error()
        || err.is_timeout()
        || err.is_connection_refusal()
        || err.is_connection_dropped()
        || matches!(
            err.kind(),
            ErrorKind::ClusterConnectionNotFound
                | ErrorKind::Server(
                    ServerErrorKind::BusyLoading
                        | ServerErrorKind::TryAgain
                        | ServerErrorKind::ClusterDown
                        | ServerErrorKind::MasterDown
                        | ServerErrorKind::ReadOnly
                )
        );
    let err = anyhow::Error::new(err).context(format!("Redis {op}"));
    if unavailable {
        StoreError::Unavailable(err)
    } else {
        StoreError::Unexpected(err)
    }
}

/// A reply that does not have the shape a script promises.
pub(crate) fn bad_reply(op: &'static str, what: &str) -> StoreError {
    StoreError::unexpected(anyhow::anyhow!("Redis {op}: malformed reply: {what}"))
}
