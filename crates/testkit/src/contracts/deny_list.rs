//! `SessionDenyList` contract.

use std::future::Future;
use std::sync::Arc;

use anyhow::ensure;
use portcullis_domain::SessionId;
use portcullis_domain::ports::SessionDenyList;
use uuid::Uuid;

use crate::fixtures::{secs, t0};
use crate::suite::{Suite, race};

/// Checks a [`SessionDenyList`] adapter against its contract. `make` returns a fresh,
/// empty deny-list for each clause.
///
/// Clauses: a denied session is denied at once, for every reader of the store (also from
/// other tasks), until `now + ttl` and not after; other sessions are unaffected; `deny`
/// is idempotent and a repeated, shorter deny never shortens the first.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn session_deny_list_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn SessionDenyList>>,
{
    let mut s = Suite::new("SessionDenyList");
    s.clause(
        "a denied session is denied at once until now + ttl, and only it",
        denies_for_ttl(make().await),
    )
    .await;
    s.clause(
        "the denial is visible at once to every concurrent reader",
        visible_to_every_reader(make().await),
    )
    .await;
    s.clause(
        "deny is idempotent and never shortens an earlier denial",
        idempotent(make().await),
    )
    .await;
    s.finish();
}

fn session() -> SessionId {
    SessionId::from_uuid(Uuid::now_v7())
}

async fn denies_for_ttl(list: Arc<dyn SessionDenyList>) -> anyhow::Result<()> {
    let (denied, other) = (session(), session());
    ensure!(!list.is_denied(denied, t0()).await?, "a fresh session");
    list.deny(denied, secs(960), t0()).await?;
    ensure!(list.is_denied(denied, t0()).await?, "right after deny");
    ensure!(
        list.is_denied(denied, t0() + secs(959)).await?,
        "one second before the ttl ends"
    );
    ensure!(
        !list.is_denied(denied, t0() + secs(961)).await?,
        "one second after the ttl ended"
    );
    ensure!(!list.is_denied(other, t0()).await?, "another session");
    Ok(())
}

async fn visible_to_every_reader(list: Arc<dyn SessionDenyList>) -> anyhow::Result<()> {
    let id = session();
    list.deny(id, secs(960), t0()).await?;
    let seen = race(16, |_| {
        let list = Arc::clone(&list);
        async move { list.is_denied(id, t0() + secs(1)).await }
    })
    .await;
    for answer in seen {
        ensure!(answer?, "a concurrent reader did not see the denial");
    }
    Ok(())
}

async fn idempotent(list: Arc<dyn SessionDenyList>) -> anyhow::Result<()> {
    let id = session();
    list.deny(id, secs(960), t0()).await?;
    list.deny(id, secs(960), t0()).await?;
    ensure!(
        list.is_denied(id, t0() + secs(900)).await?,
        "after a repeated deny"
    );
    list.deny(id, secs(10), t0() + secs(1)).await?;
    ensure!(
        list.is_denied(id, t0() + secs(900)).await?,
        "a shorter repeated deny shortened the first"
    );
    ensure!(
        !list.is_denied(id, t0() + secs(961)).await?,
        "after the longest ttl"
    );
    Ok(())
}
