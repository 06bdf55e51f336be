//! `RedisOAuthStateStore`.

use async_trait::async_trait;

use portcullis_domain::oauth::{OAuthDigest, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthStateRecord, OAuthStateStore};
use portcullis_domain::{StoreError, Timestamp};

use crate::connection::RedisConnection;
use crate::error::bad_reply;
use crate::time::{from_ms, ms};

/// OAuth states in flight in Redis: one string per state digest
/// (`P oauth:{<hex digest>}`), written with `SET ... PX` and consumed with `GETDEL`,
/// which Redis runs atomically: of concurrent takes on any number of instances exactly
/// one gets the value. The verdict on expiry compares the stored deadline with the
/// caller's `now`; the key's own TTL only collects garbage.
#[derive(Debug, Clone)]
pub struct RedisOAuthStateStore {
    redis: RedisConnection,
}

impl RedisOAuthStateStore {
    /// A state store over `redis`.
    pub const fn new(redis: RedisConnection) -> Self {
        Self { redis }
    }
}

/// `provider \n expires_ms \n binding_hex \n verifier \n redirect_to`: every field but
/// the last is newline-free by construction, and the last is read to the end.
fn encode(record: &OAuthStateRecord) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        record.provider.as_str(),
        ms(record.expires_at),
        record.binding.to_hex(),
        record.pkce_verifier.expose(),
        record.redirect_to
    )
}

fn decode(value: &str) -> Result<OAuthStateRecord, StoreError> {
    const OP: &str = "oauth state read";
    let mut parts = value.splitn(5, '\n');
    let mut next = |what| parts.next().ok_or_else(|| bad_reply(OP, what));
    let provider =
        ProviderName::parse(next("provider")?).ok_or_else(|| bad_reply(OP, "provider"))?;
    let expires_ms: i64 = next("expiry")?
        .parse()
        .map_err(|_| bad_reply(OP, "expiry"))?;
    let binding =
        OAuthDigest::from_hex(next("binding")?).ok_or_else(|| bad_reply(OP, "binding"))?;
    let pkce_verifier =
        PkceVerifier::parse(next("verifier")?).ok_or_else(|| bad_reply(OP, "verifier"))?;
    let redirect_to = next("redirect")?.to_owned();
    Ok(OAuthStateRecord {
        provider,
        pkce_verifier,
        redirect_to,
        binding,
        expires_at: from_ms(OP, expires_ms)?,
    })
}

#[async_trait]
impl OAuthStateStore for RedisOAuthStateStore {
    async fn put(
        &self,
        state: OAuthDigest,
        record: &OAuthStateRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        // At least 1 ms: `PX 0` is an error, and a record born expired is refused by
        // `take` anyway.
        let ttl = (ms(record.expires_at) - ms(now)).max(1);
        let key = self.redis.keys().oauth_state(&state.to_hex());
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(encode(record)).arg("PX").arg(ttl);
        let _: () = self.redis.command("oauth state write", &cmd).await?;
        Ok(())
    }

    async fn take(
        &self,
        state: OAuthDigest,
        now: Timestamp,
    ) -> Result<Option<OAuthStateRecord>, StoreError> {
        let key = self.redis.keys().oauth_state(&state.to_hex());
        let value: Option<String> = self
            .redis
            .command("oauth state take", redis::cmd("GETDEL").arg(key))
            .await?;
        let Some(value) = value else {
            return Ok(None);
        };
        let record = decode(&value)?;
        Ok((now < record.expires_at).then_some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_encoding() {
        let record = OAuthStateRecord {
            provider: ProviderName::Github,
            pkce_verifier: PkceVerifier::from_random([9; 32]),
            redirect_to: "https://app.example.com/a?b=c\nd".to_owned(),
            binding: OAuthDigest::of("b"),
            expires_at: Timestamp::from_timestamp_millis(1_767_225_600_123).unwrap_or_default(),
        };
        assert_eq!(decode(&encode(&record)).ok(), Some(record));
        assert!(decode("google\n1").is_err());
    }
}
