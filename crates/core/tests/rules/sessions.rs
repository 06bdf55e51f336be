//! SPEC §2 rule 7 (revocation reaches refresh and access tokens) and the session cap.

use portcullis_core::{AuthPolicy, RefreshError, SessionError};
use portcullis_domain::ports::SessionRepository;
use portcullis_domain::{PlainPassword, RevokeReason, TimeSpan};

use crate::support::{PASSWORD, World, device};

#[tokio::test]
async fn rule7_logout_stops_the_refresh_and_the_access_token_at_once() {
    let w = World::new();
    let phone = device("phone");
    let s = w.register("a@example.com", &phone).await;
    let principal = w.principal(&s).await.unwrap();
    w.service
        .logout(Some(&principal), None, &phone)
        .await
        .unwrap();
    assert!(w.principal(&s).await.is_err());
    assert!(matches!(
        w.service.refresh(s.refresh_token.expose(), &phone).await,
        Err(RefreshError::InvalidToken)
    ));
    // A second logout is a no-op.
    w.service
        .logout(Some(&principal), None, &phone)
        .await
        .unwrap();
}

#[tokio::test]
async fn rule7_logout_by_refresh_token_alone_ends_that_session() {
    let w = World::new();
    let phone = device("phone");
    let s = w.register("a@example.com", &phone).await;
    w.service
        .logout(None, Some(s.refresh_token.expose()), &phone)
        .await
        .unwrap();
    assert!(w.principal(&s).await.is_err());
}

#[tokio::test]
async fn rule7_a_forged_refresh_token_at_logout_ends_nothing() {
    let w = World::new();
    let phone = device("phone");
    let victim = w.register("a@example.com", &phone).await;
    let forged = portcullis_domain::RefreshToken::new(victim.session_id, [9; 32]);
    w.service
        .logout(None, Some(forged.expose()), &phone)
        .await
        .unwrap();
    assert!(w.principal(&victim).await.is_ok());
}

#[tokio::test]
async fn rule7_logout_all_ends_every_session() {
    let w = World::new();
    let phone = device("phone");
    let a = w.register("a@example.com", &phone).await;
    let b = w
        .service
        .login(
            portcullis_core::LoginIdentifier::Email(
                portcullis_domain::Email::parse("a@example.com").unwrap(),
            ),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &phone,
        )
        .await
        .unwrap();
    let principal = w.principal(&a).await.unwrap();
    w.service.logout_all(&principal, &phone).await.unwrap();
    for s in [&a, &b] {
        assert!(w.principal(s).await.is_err());
        assert!(
            w.service
                .refresh(s.refresh_token.expose(), &phone)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn rule7_revoking_one_session_leaves_the_others() {
    let w = World::new();
    let phone = device("phone");
    let a = w.register("a@example.com", &phone).await;
    let b = w
        .service
        .login(
            portcullis_core::LoginIdentifier::Email(
                portcullis_domain::Email::parse("a@example.com").unwrap(),
            ),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &phone,
        )
        .await
        .unwrap();
    let principal = w.principal(&a).await.unwrap();
    let listed = w.service.list_sessions(&principal).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|v| v.current).count(), 1);
    assert_eq!(listed[0].session.id, b.session_id, "newest first");

    w.service
        .revoke_session(&principal, b.session_id, &phone)
        .await
        .unwrap();
    assert!(w.principal(&b).await.is_err());
    assert!(w.principal(&a).await.is_ok());
    assert!(w.audit_kinds().await.contains(&"session_revoked"));
}

#[tokio::test]
async fn another_users_session_is_not_found_never_forbidden() {
    let w = World::new();
    let phone = device("phone");
    let alice = w.register("alice@example.com", &phone).await;
    let bob = w.register("bob@example.com", &phone).await;
    let principal = w.principal(&alice).await.unwrap();
    let err = w
        .service
        .revoke_session(&principal, bob.session_id, &phone)
        .await
        .unwrap_err();
    assert!(matches!(err, SessionError::NotFound));
    assert!(w.principal(&bob).await.is_ok());
}

#[tokio::test]
async fn session_cap_evicts_the_least_recently_used_session() {
    let w = World::with_policy(AuthPolicy {
        max_sessions: 3,
        ..AuthPolicy::default()
    });
    let phone = device("phone");
    let first = w.register("a@example.com", &phone).await;
    let mut sessions = vec![first];
    for _ in 0..2 {
        w.clock.advance(TimeSpan::seconds(10));
        sessions.push(login(&w).await);
    }
    // Use the oldest session so that the second one becomes the least recently used.
    w.clock.advance(TimeSpan::seconds(10));
    sessions[0] = w
        .service
        .refresh(sessions[0].refresh_token.expose(), &phone)
        .await
        .unwrap();
    w.clock.advance(TimeSpan::seconds(10));
    let fourth = login(&w).await;

    let evicted = w
        .sessions
        .find(sessions[1].session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(evicted.revoked_reason, Some(RevokeReason::Evicted));
    assert!(w.principal(&sessions[1]).await.is_err());
    assert!(
        w.service
            .refresh(sessions[1].refresh_token.expose(), &phone)
            .await
            .is_err()
    );
    for alive in [&sessions[0], &sessions[2], &fourth] {
        assert!(w.principal(alive).await.is_ok());
    }
    assert!(w.audit_kinds().await.contains(&"session_evicted"));
}

#[tokio::test]
async fn rotation_never_counts_as_a_new_session() {
    let w = World::with_policy(AuthPolicy {
        max_sessions: 1,
        ..AuthPolicy::default()
    });
    let phone = device("phone");
    let mut s = w.register("a@example.com", &phone).await;
    for _ in 0..5 {
        w.clock.advance(TimeSpan::seconds(5));
        s = w
            .service
            .refresh(s.refresh_token.expose(), &phone)
            .await
            .unwrap();
    }
    assert!(w.principal(&s).await.is_ok());
}

async fn login(w: &World) -> portcullis_core::IssuedSession {
    w.service
        .login(
            portcullis_core::LoginIdentifier::Email(
                portcullis_domain::Email::parse("a@example.com").unwrap(),
            ),
            PlainPassword::new_unchecked(PASSWORD.into()),
            &device("phone"),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refused_refresh_after_the_row_was_revoked_also_drops_the_family() {
    let w = World::new();
    let phone = device("phone");
    let s = w.register("a@example.com", &phone).await;
    // The durable row is revoked behind the token store's back (another instance).
    w.sessions
        .revoke(
            s.session_id,
            RevokeReason::AdminRevoked,
            portcullis_domain::ports::Clock::now(&*w.clock),
        )
        .await
        .unwrap();
    assert!(matches!(
        w.service.refresh(s.refresh_token.expose(), &phone).await,
        Err(RefreshError::InvalidToken)
    ));
}
