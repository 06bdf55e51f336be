//! Key names (see the crate docs for the layout).

use portcullis_domain::{SessionId, UserId};

/// Builds every key under one prefix. The part in braces is the Redis Cluster hash
/// tag: the keys one script touches share it, so each script runs on one slot.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The family hash of a session.
    pub(crate) fn family(&self, session: SessionId) -> String {
        format!("{}rt:{{{session}}}", self.prefix)
    }

    /// The used-token set of a session (same slot as its family).
    pub(crate) fn used(&self, session: SessionId) -> String {
        format!("{}rt:{{{session}}}:used", self.prefix)
    }

    /// The set of a user's session ids.
    pub(crate) fn user_index(&self, user: UserId) -> String {
        format!("{}rtu:{{{user}}}", self.prefix)
    }

    /// A rate-limit window.
    pub(crate) fn rate_limit(&self, key: &str) -> String {
        format!("{}rl:{{{key}}}", self.prefix)
    }

    /// Failure count and lock of a login identifier.
    pub(crate) fn lockout(&self, identifier: &str) -> String {
        format!("{}lo:{{{identifier}}}", self.prefix)
    }

    /// The deny-list entry of a session.
    pub(crate) fn denied(&self, session: SessionId) -> String {
        format!("{}{{{session}}}", self.denied_prefix())
    }

    /// What every deny-list key starts with.
    pub(crate) fn denied_prefix(&self) -> String {
        format!("{}deny:", self.prefix)
    }

    /// The session of a deny-list key, if it is one.
    pub(crate) fn denied_session(&self, key: &str) -> Option<SessionId> {
        let tag = key
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix("deny:{")?
            .strip_suffix('}')?;
        uuid::Uuid::parse_str(tag).ok().map(SessionId::from_uuid)
    }

    /// The pub/sub channel of deny-list and user-cache events (see `replica.rs`).
    pub(crate) fn events(&self) -> String {
        format!("{}events", self.prefix)
    }

    /// An OAuth state in flight, by the hex digest of the state.
    pub(crate) fn oauth_state(&self, digest_hex: &str) -> String {
        format!("{}oauth:{{{digest_hex}}}", self.prefix)
    }
}
