//! `RedisRefreshTokenStore`.

use std::sync::LazyLock;

use async_trait::async_trait;
use redis::Script;
use uuid::Uuid;

use portcullis_domain::ports::{NewFamily, RefreshTokenStore, Rotation, RotationVerdict};
use portcullis_domain::{SealedSecret, SessionId, StoreError, UserId};

use crate::connection::RedisConnection;
use crate::error::bad_reply;
use crate::time::{ms, span_ms};

static ISSUE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/refresh_issue.lua")));
static INDEX: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/refresh_index.lua")));
static ROTATE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/refresh_rotate.lua")));
static REVOKE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/refresh_revoke.lua")));

/// Refresh-token families in Redis: one hash and one set per session (one slot), each
/// rotation one Lua script, so concurrent refreshes on any number of instances get
/// exactly the verdicts of [`RefreshTokenStore::rotate`]. Only digests, fingerprints
/// and sealed successors are stored, as raw bytes. Revoked families stay as tombstones
/// until they would have expired.
#[derive(Debug, Clone)]
pub struct RedisRefreshTokenStore {
    redis: RedisConnection,
}

impl RedisRefreshTokenStore {
    /// A store over `redis`.
    pub const fn new(redis: RedisConnection) -> Self {
        Self { redis }
    }

    /// Revokes one family; `owner` restricts it to that user's. Whether it existed.
    async fn revoke(&self, session: SessionId, owner: Option<UserId>) -> Result<bool, StoreError> {
        let mut invocation = REVOKE.key(self.redis.keys().family(session));
        if let Some(owner) = owner {
            invocation.arg(owner.as_uuid().as_bytes().as_slice());
        }
        let found: i64 = self
            .redis
            .script("revoke refresh family", &invocation)
            .await?;
        Ok(found == 1)
    }
}

#[async_trait]
impl RefreshTokenStore for RedisRefreshTokenStore {
    async fn issue(&self, family: &NewFamily) -> Result<(), StoreError> {
        let keys = self.redis.keys();
        let session = family.session_id;
        // The index first: a family missing from it would escape `revoke_user`, an index
        // entry without a family is pruned by it.
        let mut index = INDEX.key(keys.user_index(family.user_id));
        index
            .arg(session.as_uuid().as_bytes().as_slice())
            .arg(ms(family.now))
            .arg(ms(family.absolute_expiry));
        let _: i64 = self.redis.script("index refresh family", &index).await?;
        let mut issue = ISSUE.key(keys.family(session));
        issue
            .key(keys.used(session))
            .arg(ms(family.now))
            .arg(family.user_id.as_uuid().as_bytes().as_slice())
            .arg(family.fingerprint.as_bytes().as_slice())
            .arg(family.token.as_bytes().as_slice())
            .arg(span_ms(family.idle_ttl))
            .arg(ms(family.absolute_expiry));
        let _: i64 = self.redis.script("issue refresh family", &issue).await?;
        Ok(())
    }

    async fn rotate(&self, r: &Rotation) -> Result<RotationVerdict, StoreError> {
        const OP: &str = "rotate refresh token";
        let keys = self.redis.keys();
        let mut invocation = ROTATE.key(keys.family(r.session_id));
        invocation
            .key(keys.used(r.session_id))
            .arg(ms(r.now))
            .arg(r.presented.as_bytes().as_slice())
            .arg(r.successor.as_bytes().as_slice())
            .arg(r.sealed_successor.as_bytes().as_slice())
            .arg(r.fingerprint.as_bytes().as_slice())
            .arg(if r.check_device { "1" } else { "0" })
            .arg(span_ms(r.grace))
            .arg(span_ms(r.idle_ttl));
        let (verdict, owner, sealed): (i64, Vec<u8>, Vec<u8>) =
            self.redis.script(OP, &invocation).await?;
        let user_id = || {
            Uuid::from_slice(&owner)
                .map(UserId::from_uuid)
                .map_err(|_| bad_reply(OP, "owner is not 16 bytes"))
        };
        Ok(match verdict {
            0 => RotationVerdict::Unknown,
            1 => RotationVerdict::Rotated {
                user_id: user_id()?,
            },
            2 => RotationVerdict::WithinGrace {
                user_id: user_id()?,
                sealed_successor: SealedSecret::from_bytes(
                    sealed
                        .try_into()
                        .map_err(|_| bad_reply(OP, "sealed successor is not 32 bytes"))?,
                ),
            },
            3 => RotationVerdict::Reused {
                user_id: user_id()?,
            },
            4 => RotationVerdict::DeviceMismatch {
                user_id: user_id()?,
            },
            _ => return Err(bad_reply(OP, "unknown verdict code")),
        })
    }

    async fn revoke_family(&self, session: SessionId) -> Result<(), StoreError> {
        self.revoke(session, None).await.map(drop)
    }

    async fn revoke_user(&self, user: UserId) -> Result<(), StoreError> {
        const OP: &str = "revoke user's refresh families";
        let index = self.redis.keys().user_index(user);
        let members: Vec<Vec<u8>> = self
            .redis
            .command(OP, redis::cmd("SMEMBERS").arg(&index))
            .await?;
        // One script per family: the families live on other slots than the index.
        for member in members {
            let found = match Uuid::from_slice(&member) {
                Ok(id) => self.revoke(SessionId::from_uuid(id), Some(user)).await?,
                Err(_) => false,
            };
            if !found {
                // Expired (or not this user's): keep the index from growing.
                let _: i64 = self
                    .redis
                    .command(OP, redis::cmd("SREM").arg(&index).arg(member))
                    .await?;
            }
        }
        Ok(())
    }
}
