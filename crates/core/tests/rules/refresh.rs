//! SPEC §2 rotation rules 1–6.

use std::collections::HashSet;

use portcullis_core::{AuthPolicy, RefreshError};
use portcullis_domain::{DeviceBinding, TimeSpan};

use crate::support::{World, device, device_at};

fn policy(grace_secs: i64) -> AuthPolicy {
    AuthPolicy {
        reuse_grace: TimeSpan::seconds(grace_secs),
        ..AuthPolicy::default()
    }
}

#[tokio::test]
async fn rule1_refresh_rotates_and_returns_a_new_pair_for_the_same_session() {
    let w = World::new();
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let second = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap();
    assert_eq!(second.session_id, first.session_id);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    assert!(w.principal(&second).await.is_ok());
    let third = w
        .service
        .refresh(second.refresh_token.expose(), &phone)
        .await
        .unwrap();
    assert_eq!(third.session_id, first.session_id);
}

#[tokio::test]
async fn rule2_reuse_after_the_grace_window_revokes_the_whole_family() {
    let w = World::with_policy(policy(3));
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let second = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap();
    w.clock.advance(TimeSpan::seconds(4));

    let err = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::Reused), "{err:?}");
    // Every token of the family and every access token of the session stop working.
    let err = w
        .service
        .refresh(second.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidToken), "{err:?}");
    assert!(w.principal(&second).await.is_err());
    assert!(w.principal(&first).await.is_err());
    assert!(w.audit_kinds().await.contains(&"refresh_token_reused"));
}

#[tokio::test]
async fn rule2_with_zero_grace_reuse_is_detected_at_once() {
    let w = World::with_policy(policy(0));
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    w.service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap();
    let err = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::Reused), "{err:?}");
}

#[tokio::test]
async fn rule2_an_older_token_is_reuse_even_inside_the_window_of_a_newer_rotation() {
    let w = World::with_policy(policy(3));
    let phone = device("phone");
    let t1 = w.register("a@example.com", &phone).await;
    let t2 = w
        .service
        .refresh(t1.refresh_token.expose(), &phone)
        .await
        .unwrap();
    w.clock.advance(TimeSpan::seconds(10));
    let t3 = w
        .service
        .refresh(t2.refresh_token.expose(), &phone)
        .await
        .unwrap();
    let err = w
        .service
        .refresh(t1.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::Reused), "{err:?}");
    assert!(w.principal(&t3).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rule3_a_burst_within_the_window_converges_on_one_successor() {
    let w = World::with_policy(policy(3));
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let token = first.refresh_token.expose().to_owned();
    let results = futures_util::future::join_all((0..32).map(|_| {
        let service = w.service.clone();
        let token = token.clone();
        let phone = phone.clone();
        tokio::spawn(async move { service.refresh(&token, &phone).await })
    }))
    .await;
    let successors: HashSet<String> = results
        .into_iter()
        .map(|r| {
            r.unwrap()
                .expect("no request of a burst is refused")
                .refresh_token
                .expose()
                .to_owned()
        })
        .collect();
    assert_eq!(successors.len(), 1, "the family never forks");
    let successor = successors.into_iter().next().unwrap();
    assert!(
        w.service.refresh(&successor, &phone).await.is_ok(),
        "the session stays alive"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rule3_with_zero_grace_exactly_one_of_a_burst_wins() {
    let w = World::with_policy(policy(0));
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let token = first.refresh_token.expose().to_owned();
    let results = futures_util::future::join_all((0..16).map(|_| {
        let service = w.service.clone();
        let token = token.clone();
        let phone = phone.clone();
        tokio::spawn(async move { service.refresh(&token, &phone).await })
    }))
    .await;
    let results: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    let wins = results.iter().filter(|r| r.is_ok()).count();
    let reused = results
        .iter()
        .filter(|r| matches!(r, Err(RefreshError::Reused)))
        .count();
    assert_eq!(wins, 1);
    assert_eq!(reused, 15, "every loser is a detected reuse");
}

#[tokio::test]
async fn rule3_reuse_inside_the_window_from_another_device_is_a_device_mismatch() {
    let w = World::with_policy(policy(3));
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let second = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap();
    let err = w
        .service
        .refresh(first.refresh_token.expose(), &device("laptop"))
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::DeviceMismatch), "{err:?}");
    assert!(
        w.service
            .refresh(second.refresh_token.expose(), &phone)
            .await
            .is_err(),
        "session revoked"
    );
}

#[tokio::test]
async fn rule4_a_refresh_from_another_user_agent_is_refused_and_revokes() {
    let w = World::new();
    let first = w.register("a@example.com", &device("phone")).await;
    let err = w
        .service
        .refresh(first.refresh_token.expose(), &device("laptop"))
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::DeviceMismatch), "{err:?}");
    assert!(w.principal(&first).await.is_err());
    let err = w
        .service
        .refresh(first.refresh_token.expose(), &device("phone"))
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidToken), "{err:?}");
    assert!(w.audit_kinds().await.contains(&"device_mismatch"));
}

#[tokio::test]
async fn rule4_strict_binding_also_compares_the_ip_and_ua_mode_does_not() {
    let strict = World::with_policy(AuthPolicy {
        device_binding: DeviceBinding::Strict,
        ..AuthPolicy::default()
    });
    let first = strict
        .register("a@example.com", &device_at("phone", [192, 0, 2, 1]))
        .await;
    let err = strict
        .service
        .refresh(
            first.refresh_token.expose(),
            &device_at("phone", [192, 0, 2, 9]),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::DeviceMismatch), "{err:?}");

    let ua = World::new();
    let first = ua
        .register("a@example.com", &device_at("phone", [192, 0, 2, 1]))
        .await;
    assert!(
        ua.service
            .refresh(
                first.refresh_token.expose(),
                &device_at("phone", [192, 0, 2, 9])
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn rule4_binding_off_accepts_any_device() {
    let w = World::with_policy(AuthPolicy {
        device_binding: DeviceBinding::Off,
        ..AuthPolicy::default()
    });
    let first = w.register("a@example.com", &device("phone")).await;
    assert!(
        w.service
            .refresh(first.refresh_token.expose(), &device("laptop"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn rule6_an_unused_refresh_token_expires_after_the_sliding_ttl() {
    let w = World::with_policy(AuthPolicy {
        refresh_ttl: TimeSpan::hours(1),
        ..AuthPolicy::default()
    });
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    // Sliding: each rotation restarts the clock.
    w.clock.advance(TimeSpan::minutes(50));
    let second = w
        .service
        .refresh(first.refresh_token.expose(), &phone)
        .await
        .unwrap();
    w.clock.advance(TimeSpan::minutes(50));
    let third = w
        .service
        .refresh(second.refresh_token.expose(), &phone)
        .await
        .unwrap();
    w.clock.advance(TimeSpan::minutes(61));
    let err = w
        .service
        .refresh(third.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidToken), "{err:?}");
}

#[tokio::test]
async fn rule6_no_refresh_outlives_the_absolute_session_lifetime() {
    let w = World::with_policy(AuthPolicy {
        refresh_ttl: TimeSpan::hours(2),
        session_absolute_ttl: TimeSpan::hours(3),
        ..AuthPolicy::default()
    });
    let phone = device("phone");
    let mut current = w.register("a@example.com", &phone).await;
    for _ in 0..2 {
        w.clock.advance(TimeSpan::minutes(80));
        current = w
            .service
            .refresh(current.refresh_token.expose(), &phone)
            .await
            .unwrap();
    }
    w.clock.advance(TimeSpan::minutes(30)); // 3h10 after the start
    let err = w
        .service
        .refresh(current.refresh_token.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidToken), "{err:?}");
}

#[tokio::test]
async fn garbage_unknown_and_foreign_tokens_all_answer_invalid_token() {
    let w = World::new();
    let phone = device("phone");
    let alice = w.register("alice@example.com", &phone).await;
    let bob = w.register("bob@example.com", &phone).await;
    for presented in [
        "",
        "garbage",
        &"A".repeat(64),
        &alice.refresh_token.expose()[..63],
    ] {
        let err = w.service.refresh(presented, &phone).await.unwrap_err();
        assert!(
            matches!(err, RefreshError::InvalidToken),
            "{presented:?}: {err:?}"
        );
    }
    // A forged token naming Bob's session (a guess) neither works nor harms Bob.
    let forged = portcullis_domain::RefreshToken::new(bob.session_id, [7; 32]);
    let err = w
        .service
        .refresh(forged.expose(), &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, RefreshError::InvalidToken), "{err:?}");
    assert!(
        w.service
            .refresh(bob.refresh_token.expose(), &phone)
            .await
            .is_ok()
    );
    assert!(
        w.service
            .refresh(alice.refresh_token.expose(), &phone)
            .await
            .is_ok()
    );
}
