//! `AuditLog` contract.

use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;

use portcullis_domain::ports::{AuditLog, IdGenerator};
use portcullis_domain::{AuditEvent, AuditEventType, AuditFilter, AuditId, TimeSpan, UserId};
use uuid::Uuid;

use crate::fixtures::{sample_event, secs, t0};
use crate::suite::{Suite, ensure_eq, race};
use crate::system::SequentialIds;

/// Checks an [`AuditLog`] adapter against its contract. `make` returns a fresh, empty
/// log for each clause.
///
/// Clauses: every field round-trips; `list` is newest first (by id, which is
/// time-ordered) and at most `limit`; it filters by user, by kind and both; `before`
/// pages through every event exactly once; events recorded concurrently are all kept;
/// `purge` deletes exactly the events whose `at` is before the cut-off (not by id) and
/// returns how many.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn audit_log_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn AuditLog>>,
{
    let mut s = Suite::new("AuditLog");
    s.clause(
        "every field round-trips; list is newest first and at most limit",
        round_trip(make().await),
    )
    .await;
    s.clause("list filters by user and by kind", filters(make().await))
        .await;
    s.clause(
        "before pages through every event exactly once",
        pages(make().await),
    )
    .await;
    s.clause(
        "record_many keeps every event of the batch, as record would",
        record_many(make().await),
    )
    .await;
    s.clause(
        "50 concurrent records are all kept",
        concurrent_records(make().await),
    )
    .await;
    s.clause(
        "purge deletes events older than the cut-off, keeps the rest, returns the count",
        purge(make().await),
    )
    .await;
    s.finish();
}

fn filter(user_id: Option<UserId>, kind: Option<AuditEventType>, limit: u32) -> AuditFilter {
    AuditFilter {
        user_id,
        kind,
        before: None,
        limit,
    }
}

/// `count` events, ids and times increasing, cycling through `kinds` and `users`.
fn events(count: usize, kinds: &[AuditEventType], users: &[Option<UserId>]) -> Vec<AuditEvent> {
    let ids = SequentialIds::new();
    (0..count)
        .map(|i| {
            let at = t0() + secs(i64::try_from(i).unwrap_or(i64::MAX));
            let mut event = sample_event(kinds[i % kinds.len()], users[i % users.len()], at);
            event.id = AuditId(ids.uuid());
            event
        })
        .collect()
}

fn ids(events: &[AuditEvent]) -> Vec<AuditId> {
    events.iter().map(|e| e.id).collect()
}

fn user() -> UserId {
    UserId::from_uuid(Uuid::now_v7())
}

async fn record_many(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let mut all = events(
        5,
        &[AuditEventType::TokenRefreshed, AuditEventType::Logout],
        &[Some(user()), None],
    );
    all[3].details = r#"{"session_id":"x"}"#.to_owned();
    log.record_many(&[]).await?;
    log.record_many(&all[..4]).await?;
    log.record_many(&all[4..]).await?;
    let listed = log.list(&filter(None, None, 100)).await?;
    let newest_first: Vec<AuditEvent> = all.iter().rev().cloned().collect();
    ensure_eq!(
        listed,
        newest_first,
        "every event of both batches, newest first"
    );
    Ok(())
}

async fn round_trip(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let mut all = events(3, &[AuditEventType::LoginSucceeded], &[Some(user())]);
    all[1].kind = AuditEventType::RoleChanged;
    all[1].actor_id = Some(user());
    all[1].ip = Some(IpAddr::V6(Ipv6Addr::LOCALHOST));
    all[1].details = r#"{"from":"user","to":"admin"}"#.to_owned();
    all[2].user_id = None;
    all[2].ip = None;
    all[2].user_agent = None;
    for event in &all {
        log.record(event).await?;
    }
    let listed = log.list(&filter(None, None, 100)).await?;
    let newest_first: Vec<AuditEvent> = all.iter().rev().cloned().collect();
    ensure_eq!(listed, newest_first, "every event, newest first");
    let limited = log.list(&filter(None, None, 2)).await?;
    ensure_eq!(ids(&limited), vec![all[2].id, all[1].id], "limit 2");
    Ok(())
}

async fn filters(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let (alice, bob) = (user(), user());
    let kinds = [AuditEventType::LoginFailed, AuditEventType::Logout];
    let all = events(8, &kinds, &[Some(alice), Some(alice), Some(bob), None]);
    for event in &all {
        log.record(event).await?;
    }
    let expect = |keep: &dyn Fn(&AuditEvent) -> bool| -> Vec<AuditId> {
        all.iter().rev().filter(|e| keep(e)).map(|e| e.id).collect()
    };
    let by_user = log.list(&filter(Some(alice), None, 100)).await?;
    ensure_eq!(
        ids(&by_user),
        expect(&|e| e.user_id == Some(alice)),
        "alice's events"
    );
    let by_kind = log
        .list(&filter(None, Some(AuditEventType::Logout), 100))
        .await?;
    ensure_eq!(
        ids(&by_kind),
        expect(&|e| e.kind == AuditEventType::Logout),
        "logout events"
    );
    let both = log
        .list(&filter(Some(bob), Some(AuditEventType::LoginFailed), 100))
        .await?;
    ensure_eq!(
        ids(&both),
        expect(&|e| e.user_id == Some(bob) && e.kind == AuditEventType::LoginFailed),
        "bob's failed logins"
    );
    let nobody = log.list(&filter(Some(user()), None, 100)).await?;
    ensure_eq!(ids(&nobody), Vec::<AuditId>::new(), "a user without events");
    Ok(())
}

async fn pages(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let alice = user();
    let all = events(11, &[AuditEventType::TokenRefreshed], &[Some(alice), None]);
    for event in &all {
        log.record(event).await?;
    }
    let mut seen = Vec::new();
    let mut before = None;
    for _ in 0..10 {
        let page = log
            .list(&AuditFilter {
                before,
                ..filter(None, None, 4)
            })
            .await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(ids(&page));
    }
    let expected: Vec<AuditId> = all.iter().rev().map(|e| e.id).collect();
    ensure_eq!(seen, expected, "every event over pages of 4");

    let page = log
        .list(&AuditFilter {
            before: Some(all[5].id),
            ..filter(Some(alice), None, 100)
        })
        .await?;
    let expected: Vec<AuditId> = all[..5]
        .iter()
        .rev()
        .filter(|e| e.user_id == Some(alice))
        .map(|e| e.id)
        .collect();
    ensure_eq!(ids(&page), expected, "before combined with a user filter");
    Ok(())
}

async fn concurrent_records(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let all = events(50, &[AuditEventType::LoginFailed], &[None]);
    let results = race(all.len(), |i| {
        let log = Arc::clone(&log);
        let event = all[i].clone();
        async move { log.record(&event).await }
    })
    .await;
    for result in results {
        result?;
    }
    let listed = log.list(&filter(None, None, 100)).await?;
    let listed: HashSet<AuditId> = ids(&listed).into_iter().collect();
    let recorded: HashSet<AuditId> = ids(&all).into_iter().collect();
    ensure_eq!(listed.len(), 50, "events listed");
    ensure_eq!(listed, recorded, "the listed ids");
    Ok(())
}

async fn purge(log: Arc<dyn AuditLog>) -> anyhow::Result<()> {
    let alice = user();
    let kinds = [AuditEventType::LoginFailed, AuditEventType::UserDeleted];
    // At t0, t0+1s, ... t0+5s; the cut-off is t0+3s.
    let mut all = events(6, &kinds, &[Some(alice), None]);
    // Ids need not follow `at`: the newest id happened long ago, the oldest id is the
    // latest event. The cut-off is about `at`.
    all[5].at = t0() - TimeSpan::days(400);
    all[0].at = t0() + TimeSpan::days(1);
    for event in &all {
        log.record(event).await?;
    }
    let cutoff = t0() + secs(3);
    ensure_eq!(log.purge(cutoff).await?, 3, "events before the cut-off");
    let kept = log.list(&filter(None, None, 100)).await?;
    ensure_eq!(
        ids(&kept),
        vec![all[4].id, all[3].id, all[0].id],
        "events at or after the cut-off, newest id first"
    );
    ensure_eq!(kept[1].at, cutoff, "an event exactly at the cut-off stays");
    ensure_eq!(log.purge(cutoff).await?, 0, "a second pass deletes nothing");
    ensure_eq!(
        log.purge(t0() - TimeSpan::days(1000)).await?,
        0,
        "a cut-off before every event"
    );
    let later = sample_event(AuditEventType::Logout, Some(alice), cutoff + secs(1));
    log.record(&later).await?;
    ensure_eq!(
        log.purge(t0() + TimeSpan::days(2)).await?,
        4,
        "a cut-off after every event empties the log"
    );
    ensure_eq!(
        log.list(&filter(None, None, 100)).await?,
        Vec::<AuditEvent>::new(),
        "nothing left"
    );
    Ok(())
}
