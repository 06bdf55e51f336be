//! The mail outbox: claims never overlap (in one process or across two on the same
//! file), leases expire, outcomes are recorded.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use portcullis_domain::{Email, OutgoingMail};
use portcullis_sqlite::SqliteStores;

use crate::support::TempDb;

fn mail(n: usize) -> OutgoingMail {
    OutgoingMail {
        to: Email::parse(&format!("user{n}@example.com")).unwrap(),
        subject: format!("subject {n}"),
        text: "text".into(),
        html: "<p>html</p>".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_never_return_the_same_mail_and_leases_expire() {
    let db = TempDb::new().await;
    let outbox = Arc::clone(&db.stores.mail_outbox);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for n in 0..40 {
        outbox.enqueue(&mail(n), now).await.unwrap();
    }
    let claims = futures_join((0..8).map(|_| {
        let outbox = Arc::clone(&outbox);
        async move { outbox.claim(now, 10, TimeDelta::minutes(2)).await.unwrap() }
    }))
    .await;
    let ids: Vec<_> = claims.iter().flatten().map(|q| q.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 40, "every mail claimed once");
    assert_eq!(unique.len(), 40, "no mail claimed twice");
    assert!(claims.iter().flatten().all(|q| q.attempts == 1));
    assert!(
        outbox
            .claim(now, 10, TimeDelta::minutes(2))
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );

    let mut claimed = claims.iter().flatten();
    let first = claimed.next().unwrap().clone();
    outbox.mark_sent(first.id, now).await.unwrap();
    let second = claimed.next().unwrap().clone();
    outbox
        .mark_failed(
            second.id,
            "451 try later",
            Some(now + TimeDelta::seconds(5)),
        )
        .await
        .unwrap();
    let third = claimed.next().unwrap().clone();
    outbox
        .mark_failed(third.id, &"550 no such user ".repeat(200), None)
        .await
        .unwrap();

    let retried = outbox
        .claim(now + TimeDelta::seconds(6), 100, TimeDelta::minutes(2))
        .await
        .unwrap();
    assert_eq!(
        retried.iter().map(|q| q.id).collect::<Vec<_>>(),
        [second.id],
        "only the retry is due before the lease ends"
    );
    assert_eq!(retried[0].attempts, 2);
    assert_eq!(retried[0].mail, second.mail);
    let after_lease = outbox
        .claim(now + TimeDelta::minutes(3), 100, TimeDelta::minutes(2))
        .await
        .unwrap();
    let ids: HashSet<_> = after_lease.iter().map(|q| q.id).collect();
    assert_eq!(
        ids.len(),
        38,
        "leased mail comes back; sent and abandoned mail does not"
    );
    assert!(!ids.contains(&first.id) && !ids.contains(&third.id));
    let far_future = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).unwrap();
    let never = outbox
        .claim(far_future, 100, TimeDelta::minutes(2))
        .await
        .unwrap();
    assert!(
        never.iter().all(|q| q.id != third.id && q.id != first.id),
        "abandoned mail is never due again"
    );
}

/// Two "instances" on one file (two writer connections, as two processes would have):
/// claims still never overlap, because each claim is one IMMEDIATE transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_from_two_instances_on_one_file_never_overlap() {
    let db = TempDb::new().await;
    let other = SqliteStores::open(db.path()).await.unwrap();
    let outboxes = [Arc::clone(&db.stores.mail_outbox), other.mail_outbox];
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for n in 0..60 {
        outboxes[n % 2].enqueue(&mail(n), now).await.unwrap();
    }
    let claims = futures_join((0..12).map(|i| {
        let outbox = Arc::clone(&outboxes[i % 2]);
        async move { outbox.claim(now, 7, TimeDelta::minutes(2)).await.unwrap() }
    }))
    .await;
    let ids: Vec<_> = claims.iter().flatten().map(|q| q.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(unique.len(), 60);
}

/// Runs the futures as spawned tasks (so they race on the multi-thread runtime) and
/// returns their outputs in order.
async fn futures_join<T, F>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
