//! The mail outbox: claims never overlap, leases expire, outcomes are recorded.

use std::collections::HashSet;

use chrono::{TimeDelta, TimeZone, Utc};
use portcullis_domain::ports::MailOutbox;
use portcullis_domain::{Email, OutgoingMail};
use portcullis_postgres::PgMailOutbox;
use portcullis_postgres::test_support::TestDatabase;

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
    let db = TestDatabase::new().await.unwrap();
    let outbox = PgMailOutbox::new(db.pool());
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    for n in 0..40 {
        outbox.enqueue(&mail(n), now).await.unwrap();
    }
    let claims = futures_util::future::join_all((0..8).map(|_| {
        let outbox = outbox.clone();
        async move { outbox.claim(now, 10, TimeDelta::minutes(2)).await.unwrap() }
    }))
    .await;
    let ids: Vec<_> = claims.iter().flatten().map(|q| q.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), 40, "every mail claimed once");
    assert_eq!(unique.len(), 40, "no mail claimed twice");
    assert!(
        outbox
            .claim(now, 10, TimeDelta::minutes(2))
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );

    let first = claims.iter().flatten().next().unwrap().clone();
    outbox.mark_sent(first.id, now).await.unwrap();
    let second = claims.iter().flatten().nth(1).unwrap().clone();
    outbox
        .mark_failed(
            second.id,
            "451 try later",
            Some(now + TimeDelta::seconds(5)),
        )
        .await
        .unwrap();
    let third = claims.iter().flatten().nth(2).unwrap().clone();
    outbox
        .mark_failed(third.id, "550 no such user", None)
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
    db.close().await.unwrap();
}
