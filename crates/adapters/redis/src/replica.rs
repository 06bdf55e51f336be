//! The in-process replica: revoked sessions and user-cache invalidations, kept current
//! by Redis pub/sub, so the access-token check and `GET /me` cost no network round trip.
//!
//! # How it stays correct
//!
//! - Every denial is written by the deny script, which stores the key *and* publishes
//!   `d <session> <deadline ms> <ttl ms>` on the events channel in the same step. Every
//!   user write made through [`CachedUserRepository`] publishes `u <user>` after the
//!   database has it.
//! - A background task holds one dedicated pub/sub connection. It subscribes first,
//!   then loads a snapshot of every deny key (`SCAN`), then applies the messages that
//!   arrived meanwhile: nothing denied before or during the snapshot is missed.
//! - It pings Redis over that connection every [`HEARTBEAT`] and drains the messages
//!   that arrived before the answer. The replica is *trusted* only while it is synced
//!   and its last heartbeat is younger than [`TRUSTED_FOR`]. When the connection breaks,
//!   stalls, or the task cannot run, trust lapses within that time and every reader
//!   falls back to direct Redis look-ups (and the user cache is bypassed) until a new
//!   subscription has re-loaded the snapshot. So a revocation takes effect on every
//!   instance within one second, whatever happens to the subscription.
//! - The cache drops every entry on (re)sync, since invalidations may have been lost
//!   while unsubscribed, and keeps an entry at most [`USER_TTL`], which bounds the
//!   staleness after a write that bypassed it (the `create-admin` CLI, manual SQL).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::{FutureExt, StreamExt};
use portcullis_domain::ports::{SessionDenyList, UserListQuery, UserRepository, UserWriteError};
use portcullis_domain::{
    Email, SessionId, StoreError, TimeSpan, Timestamp, User, UserId, Username,
};
use uuid::Uuid;

use crate::connection::RedisConnection;
use crate::deny_list::RedisDenyList;
use crate::error::store_error;
use crate::time::ms;

/// How often the replica pings Redis over its subscription.
pub const HEARTBEAT: Duration = Duration::from_millis(200);
/// How long a heartbeat keeps the replica trusted.
pub const TRUSTED_FOR: Duration = Duration::from_millis(700);
/// How long a cached user is served at most.
pub const USER_TTL: Duration = Duration::from_secs(5);
/// Bound on cached users; past it the cache starts over.
const MAX_CACHED_USERS: usize = 100_000;
/// Waits between reconnection attempts.
const RETRY_MIN: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// A local copy of the deny-list and a user cache, fed by Redis pub/sub (see the module
/// docs). Cheap to clone; the background task ends when the last clone is dropped.
#[derive(Clone)]
pub struct Replica {
    state: Arc<State>,
    redis: RedisConnection,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("trusted", &self.state.trusted())
            .finish_non_exhaustive()
    }
}

struct State {
    started: Instant,
    synced: AtomicBool,
    /// Milliseconds after `started` of the last successful heartbeat.
    beat_ms: AtomicU64,
    /// Bumped by every user invalidation and every resync: a read that saw another
    /// epoch before it finished is not cached.
    epoch: AtomicU64,
    denied: RwLock<HashMap<SessionId, Denial>>,
    users: Mutex<HashMap<UserId, (User, Instant)>>,
}

#[derive(Debug, Clone, Copy)]
struct Denial {
    /// When the denial ends, in the callers' clock (ms since the epoch).
    deadline_ms: i64,
    /// When the entry may be forgotten, like the Redis key's own expiry.
    forget_at: Instant,
}

impl State {
    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn trusted(&self) -> bool {
        let trusted_for = u64::try_from(TRUSTED_FOR.as_millis()).unwrap_or(u64::MAX);
        self.synced.load(Ordering::Acquire)
            && self
                .elapsed_ms()
                .saturating_sub(self.beat_ms.load(Ordering::Acquire))
                < trusted_for
    }

    fn beat(&self) {
        self.beat_ms.store(self.elapsed_ms(), Ordering::Release);
    }

    fn note_denial(&self, session: SessionId, deadline_ms: i64, ttl_ms: i64) {
        let ttl = Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0));
        let denial = Denial {
            deadline_ms,
            forget_at: Instant::now() + ttl,
        };
        let mut denied = self.denied.write().unwrap_or_else(PoisonError::into_inner);
        let entry = denied.entry(session).or_insert(denial);
        if denial.deadline_ms > entry.deadline_ms {
            *entry = denial;
        }
    }

    fn is_denied(&self, session: SessionId, now_ms: i64) -> bool {
        self.denied
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&session)
            .is_some_and(|d| now_ms < d.deadline_ms)
    }

    fn forget_user(&self, user: UserId) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&user);
    }

    fn prune(&self) {
        let now = Instant::now();
        self.denied
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, d| d.forget_at > now);
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, (_, at)| at.elapsed() < USER_TTL);
    }

    /// Applies one message of the events channel; unknown ones are ignored.
    fn apply(&self, payload: &str) {
        let mut parts = payload.split(' ');
        match (parts.next(), parts.next().map(Uuid::parse_str)) {
            (Some("d"), Some(Ok(id))) => {
                let mut num = || parts.next().and_then(|p| p.parse::<i64>().ok());
                if let (Some(deadline), Some(ttl)) = (num(), num()) {
                    self.note_denial(SessionId::from_uuid(id), deadline, ttl);
                }
            }
            (Some("u"), Some(Ok(id))) => self.forget_user(UserId::from_uuid(id)),
            _ => tracing::debug!("ignoring an unknown replica message"),
        }
    }
}

impl Replica {
    /// Starts the replica's background task on the current Tokio runtime. It is not
    /// trusted (every read goes to Redis) until its first snapshot has loaded.
    #[must_use]
    pub fn start(redis: RedisConnection) -> Self {
        let state = Arc::new(State {
            started: Instant::now(),
            synced: AtomicBool::new(false),
            beat_ms: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            denied: RwLock::new(HashMap::new()),
            users: Mutex::new(HashMap::new()),
        });
        tokio::spawn(follow(Arc::downgrade(&state), redis.clone()));
        Self { state, redis }
    }

    /// Whether reads are currently answered from the replica.
    #[must_use]
    pub fn is_trusted(&self) -> bool {
        self.state.trusted()
    }

    /// Waits until the replica is trusted, at most `limit`; returns whether it is.
    pub async fn wait_trusted(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.is_trusted() {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// The deny-list answered from this replica while it is trusted.
    #[must_use]
    pub fn deny_list(&self) -> ReplicatedDenyList {
        ReplicatedDenyList {
            replica: self.clone(),
            redis: RedisDenyList::new(self.redis.clone()),
        }
    }

    /// `inner` with `find_by_id` cached while this replica is trusted.
    #[must_use]
    pub fn cached_users(&self, inner: Arc<dyn UserRepository>) -> CachedUserRepository {
        CachedUserRepository {
            replica: self.clone(),
            inner,
        }
    }
}

/// The background task: follow the events channel until the replica is dropped.
async fn follow(state: Weak<State>, redis: RedisConnection) {
    let mut wait = RETRY_MIN;
    let mut quiet = false;
    loop {
        let result = subscribe_and_follow(&state, &redis).await;
        let Some(alive) = state.upgrade() else { return };
        let was_synced = alive.synced.swap(false, Ordering::AcqRel);
        drop(alive);
        let Err(err) = result else { return };
        if was_synced {
            wait = RETRY_MIN;
            quiet = false;
        }
        if !quiet {
            // Once per outage: the health check reports Redis while it stays down.
            tracing::warn!(
                error = %anyhow::Error::from(err),
                "deny-list replica not subscribed; reading Redis directly until it is"
            );
            quiet = true;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RETRY_MAX);
    }
}

/// One subscription's life. `Ok(())` when the replica was dropped, an error when the
/// connection failed (the caller reconnects).
async fn subscribe_and_follow(
    state: &Weak<State>,
    redis: &RedisConnection,
) -> Result<(), StoreError> {
    let timeout = redis.deadline();
    let pubsub = bounded(timeout, "subscribe", redis.client().get_async_pubsub()).await?;
    let (mut sink, mut stream) = pubsub.split();
    let channel = redis.keys().events();
    bounded(timeout, "subscribe", sink.subscribe(&channel)).await?;
    let snapshot = load_denials(redis).await?;
    {
        let Some(state) = state.upgrade() else {
            return Ok(());
        };
        {
            let mut denied = state.denied.write().unwrap_or_else(PoisonError::into_inner);
            denied.clear();
            for (session, deadline_ms, ttl_ms) in snapshot {
                let ttl = Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0));
                denied.insert(
                    session,
                    Denial {
                        deadline_ms,
                        forget_at: Instant::now() + ttl,
                    },
                );
            }
        }
        state.epoch.fetch_add(1, Ordering::AcqRel);
        state
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        drain(&state, &mut stream)?;
        state.beat();
        state.synced.store(true, Ordering::Release);
        tracing::info!("deny-list replica synced");
    }
    let mut ticks = tokio::time::interval(HEARTBEAT);
    let mut pruned = Instant::now();
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else {
                    return Err(closed("the subscription ended"));
                };
                let Some(state) = state.upgrade() else { return Ok(()) };
                state.apply(&String::from_utf8_lossy(message.get_payload_bytes()));
            }
            _ = ticks.tick() => {
                let _: redis::Value = bounded(TRUSTED_FOR / 2, "heartbeat", sink.ping()).await?;
                let Some(state) = state.upgrade() else { return Ok(()) };
                // Everything published before the PING was answered has arrived.
                drain(&state, &mut stream)?;
                state.beat();
                if pruned.elapsed() > Duration::from_secs(5) {
                    state.prune();
                    pruned = Instant::now();
                }
            }
        }
    }
}

/// Applies every message already received.
fn drain(state: &State, stream: &mut redis::aio::PubSubStream) -> Result<(), StoreError> {
    while let Some(next) = stream.next().now_or_never() {
        let Some(message) = next else {
            return Err(closed("the subscription ended"));
        };
        state.apply(&String::from_utf8_lossy(message.get_payload_bytes()));
    }
    Ok(())
}

fn closed(what: &str) -> StoreError {
    StoreError::unavailable(anyhow::anyhow!("Redis replica: {what}"))
}

async fn bounded<T>(
    limit: Duration,
    op: &'static str,
    request: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(limit, request).await {
        Ok(result) => result.map_err(|err| store_error(op, err)),
        Err(_) => Err(closed("no answer in time")),
    }
}

/// Every current denial: `(session, deadline ms, remaining ttl ms)`.
async fn load_denials(redis: &RedisConnection) -> Result<Vec<(SessionId, i64, i64)>, StoreError> {
    let pattern = format!("{}*", glob_escape(&redis.keys().denied_prefix()));
    let mut found = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis
            .command(
                "deny-list snapshot",
                redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000),
            )
            .await?;
        if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("GET").arg(key).cmd("PTTL").arg(key);
            }
            let values: Vec<(Option<i64>, i64)> =
                redis.pipeline("deny-list snapshot", &pipe).await?;
            for (key, (deadline, ttl)) in keys.iter().zip(values) {
                if let (Some(session), Some(deadline)) =
                    (redis.keys().denied_session(key), deadline)
                    && ttl > 0
                {
                    found.push((session, deadline, ttl));
                }
            }
        }
        if next == 0 {
            return Ok(found);
        }
        cursor = next;
    }
}

fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// [`SessionDenyList`] answered from the [`Replica`] while it is trusted, from Redis
/// otherwise; denials go to Redis (which tells every replica) and to this replica at
/// once. Fail-closed like [`RedisDenyList`]: untrusted and Redis down is an error.
#[derive(Debug, Clone)]
pub struct ReplicatedDenyList {
    replica: Replica,
    redis: RedisDenyList,
}

#[async_trait]
impl SessionDenyList for ReplicatedDenyList {
    async fn deny(
        &self,
        session: SessionId,
        ttl: TimeSpan,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.redis.deny(session, ttl, now).await?;
        self.replica.state.note_denial(
            session,
            ms(now) + ttl.num_milliseconds(),
            ttl.num_milliseconds(),
        );
        Ok(())
    }

    async fn is_denied(&self, session: SessionId, now: Timestamp) -> Result<bool, StoreError> {
        if self.replica.state.trusted() {
            return Ok(self.replica.state.is_denied(session, ms(now)));
        }
        self.redis.is_denied(session, now).await
    }
}

/// A [`UserRepository`] whose `find_by_id` is served from memory while the
/// [`Replica`] is trusted (at most [`USER_TTL`] per entry). Every write through it
/// drops the entry here and tells the other instances (`u <user>` on the events
/// channel) before it returns.
#[derive(Clone)]
pub struct CachedUserRepository {
    replica: Replica,
    inner: Arc<dyn UserRepository>,
}

impl std::fmt::Debug for CachedUserRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedUserRepository")
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl CachedUserRepository {
    async fn invalidate(&self, user: UserId) {
        self.replica.state.forget_user(user);
        let channel = self.replica.redis.keys().events();
        let published: Result<i64, StoreError> = self
            .replica
            .redis
            .command(
                "user invalidation",
                redis::cmd("PUBLISH").arg(channel).arg(format!("u {user}")),
            )
            .await;
        if let Err(err) = published {
            // The write itself succeeded; other instances drop their copy within
            // USER_TTL, or at once if their subscription broke too.
            tracing::warn!(error = %anyhow::Error::from(err), %user, "could not publish a user invalidation");
        }
    }
}

#[async_trait]
impl UserRepository for CachedUserRepository {
    async fn insert(&self, user: &User) -> Result<(), UserWriteError> {
        self.inner.insert(user).await
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let state = &self.replica.state;
        if !state.trusted() {
            return self.inner.find_by_id(id).await;
        }
        if let Some((user, at)) = state
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            && at.elapsed() < USER_TTL
        {
            return Ok(Some(user.clone()));
        }
        let epoch = state.epoch.load(Ordering::Acquire);
        let found = self.inner.find_by_id(id).await?;
        if let Some(user) = &found
            && state.trusted()
            && state.epoch.load(Ordering::Acquire) == epoch
        {
            let mut users = state.users.lock().unwrap_or_else(PoisonError::into_inner);
            if users.len() >= MAX_CACHED_USERS {
                users.clear();
            }
            users.insert(id, (user.clone(), Instant::now()));
        }
        Ok(found)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.inner.find_by_email(email).await
    }

    async fn find_by_username(&self, username: &Username) -> Result<Option<User>, StoreError> {
        self.inner.find_by_username(username).await
    }

    async fn update(&self, user: &User) -> Result<(), UserWriteError> {
        let result = self.inner.update(user).await;
        self.invalidate(user.id).await;
        result
    }

    async fn delete(&self, id: UserId) -> Result<bool, UserWriteError> {
        let result = self.inner.delete(id).await;
        self.invalidate(id).await;
        result
    }

    async fn list(&self, query: &UserListQuery) -> Result<Vec<User>, StoreError> {
        self.inner.list(query).await
    }

    async fn count_admins(&self) -> Result<u64, StoreError> {
        self.inner.count_admins().await
    }
}
