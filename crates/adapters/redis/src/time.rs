//! Time as the scripts see it: integer milliseconds of the caller's clock.
//!
//! Every port method receives `now`; scripts compute deadlines from it and store them,
//! and key TTLs are set relative to it (`PEXPIRE deadline - now`), never as absolute
//! times: Redis's own clock never decides a verdict, it only collects garbage.

use portcullis_domain::{StoreError, TimeSpan, Timestamp};

/// Milliseconds since the Unix epoch.
pub(crate) fn ms(at: Timestamp) -> i64 {
    at.timestamp_millis()
}

/// Milliseconds of a span.
pub(crate) fn span_ms(span: TimeSpan) -> i64 {
    span.num_milliseconds()
}

/// A stored deadline back to a timestamp.
pub(crate) fn from_ms(op: &'static str, ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_timestamp_millis(ms)
        .ok_or_else(|| crate::error::bad_reply(op, "timestamp out of range"))
}
