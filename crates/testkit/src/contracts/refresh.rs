//! `RefreshTokenStore` contract.

mod concurrency;
mod expiry;
mod rules;

use std::future::Future;
use std::sync::Arc;

use portcullis_domain::ports::{NewFamily, RefreshTokenStore, Rotation};
use portcullis_domain::{DeviceFingerprint, RefreshToken, SessionId, TimeSpan, Timestamp, UserId};
use uuid::Uuid;

use crate::fixtures::secs;
use crate::suite::Suite;

/// Checks a [`RefreshTokenStore`] adapter against its contract. `make` returns a fresh,
/// empty store for each clause.
///
/// Clauses, in the rule order of [`RefreshTokenStore::rotate`]: missing, idle-expired
/// (sliding from the last rotation, successor TTL from the rotation) and absolutely
/// expired families are `Unknown` for every token; the current token rotates, or is
/// `DeviceMismatch` (family revoked) from another device with `check_device`; the
/// previous token before `rotated_at + grace` is `WithinGrace` with the stored sealed
/// successor (family unchanged) or `DeviceMismatch` (family revoked); the previous token
/// from `rotated_at + grace` on, and any older token, is `Reused` (family revoked);
/// anything else is `Unknown` and leaves the family untouched. A revoked family is a
/// tombstone until it would have expired: its current token is `Unknown`, every used
/// token `Reused` (from any device, again and again), then everything is `Unknown`.
/// `revoke_family` and `revoke_user` are idempotent and scoped. 32 concurrent rotations
/// of one token yield exactly one `Rotated`, the rest `WithinGrace` with the winner's
/// sealed successor; with a zero window, exactly one `Rotated` and 31 `Reused`.
///
/// "MUST NOT store the plain token" holds by construction: the port only ever receives
/// digests.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn refresh_token_store_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn RefreshTokenStore>>,
{
    let mut s = Suite::new("RefreshTokenStore");
    s.clause(
        "the current token rotates, again and again",
        rules::rotates_current(make().await),
    )
    .await;
    s.clause(
        "the previous token inside the window is WithinGrace, family unchanged",
        rules::within_grace(make().await),
    )
    .await;
    s.clause(
        "the previous token in the window from another device: DeviceMismatch, revoked",
        rules::grace_device_mismatch(make().await),
    )
    .await;
    s.clause(
        "the current token from another device: DeviceMismatch (revoked) with check_device",
        rules::current_device_mismatch(make().await),
    )
    .await;
    s.clause(
        "the previous token from rotated_at + grace on is Reused, family revoked",
        rules::previous_after_window(make().await),
    )
    .await;
    s.clause(
        "an older token is Reused even inside the window, family revoked",
        rules::older_token_reused(make().await),
    )
    .await;
    s.clause(
        "with a zero window the previous token is Reused at once",
        rules::zero_grace(make().await),
    )
    .await;
    s.clause(
        "an unknown token is Unknown and never touches the family",
        rules::unknown_never_touches(make().await),
    )
    .await;
    s.clause(
        "idle TTL slides from the last rotation, using the rotation's idle_ttl",
        expiry::idle_ttl_slides(make().await),
    )
    .await;
    s.clause(
        "an idle-expired family is Unknown for every token",
        expiry::idle_expired(make().await),
    )
    .await;
    s.clause(
        "absolute expiry caps the family whatever the idle TTL",
        expiry::absolute_expiry(make().await),
    )
    .await;
    s.clause(
        "revoke_family: current token Unknown, used ones Reused, idempotently",
        expiry::revoke_family(make().await),
    )
    .await;
    s.clause(
        "revoke_user revokes every family of the user and only those",
        expiry::revoke_user(make().await),
    )
    .await;
    s.clause(
        "a tombstone is forgotten when the family would have expired",
        expiry::tombstone_expires(make().await),
    )
    .await;
    s.clause(
        "32 concurrent rotations of one token: one Rotated, 31 WithinGrace with its successor",
        concurrency::race_with_grace(make().await),
    )
    .await;
    s.clause(
        "32 concurrent rotations with a zero window: one Rotated, 31 Reused, family revoked",
        concurrency::race_without_grace(make().await),
    )
    .await;
    s.finish();
}

/// The device every family starts on.
const DEVICE: DeviceFingerprint = DeviceFingerprint::from_bytes([1; 32]);
/// Another device.
const OTHER_DEVICE: DeviceFingerprint = DeviceFingerprint::from_bytes([2; 32]);

fn idle_ttl() -> TimeSpan {
    TimeSpan::days(14)
}

fn grace() -> TimeSpan {
    secs(30)
}

/// One session's family, as a client sees it.
#[derive(Clone, Copy)]
struct Family {
    sid: SessionId,
    user: UserId,
}

impl Family {
    fn new() -> Self {
        Self {
            sid: SessionId::from_uuid(Uuid::now_v7()),
            user: UserId::from_uuid(Uuid::now_v7()),
        }
    }

    fn of_user(user: UserId) -> Self {
        Self {
            user,
            ..Self::new()
        }
    }

    /// Token number `n` of this family (its secret is `[n; 32]`).
    fn token(&self, n: u8) -> RefreshToken {
        RefreshToken::new(self.sid, [n; 32])
    }

    /// Issues token 1 at `now`, living 14 days idle and 30 days at most.
    async fn issue(&self, store: &dyn RefreshTokenStore, now: Timestamp) -> anyhow::Result<()> {
        self.issue_until(store, now, now + TimeSpan::days(30)).await
    }

    async fn issue_until(
        &self,
        store: &dyn RefreshTokenStore,
        now: Timestamp,
        absolute_expiry: Timestamp,
    ) -> anyhow::Result<()> {
        store
            .issue(&NewFamily {
                session_id: self.sid,
                user_id: self.user,
                token: self.token(1).hash(),
                fingerprint: DEVICE,
                idle_ttl: idle_ttl(),
                absolute_expiry,
                now,
            })
            .await?;
        Ok(())
    }

    /// Presents token `presented` from the family's device, offering token `successor`.
    fn rotation(&self, presented: u8, successor: u8, now: Timestamp) -> Rotation {
        let (presented, successor) = (self.token(presented), self.token(successor));
        Rotation {
            session_id: self.sid,
            presented: presented.hash(),
            successor: successor.hash(),
            sealed_successor: presented.seal(&successor),
            fingerprint: DEVICE,
            check_device: true,
            grace: grace(),
            idle_ttl: idle_ttl(),
            now,
        }
    }
}
