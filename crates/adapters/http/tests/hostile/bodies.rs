//! Hostile bodies (SPEC §3): duplicate keys and deep nesting are refused before any
//! work, fast; over-long emails and names are 400 on every path that takes them.

use std::time::{Duration, Instant};

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::json;

use super::support::{PASSWORD, app, call, raw_json, settings, signed_up, state};

/// Far above the work these answers need, far below what parsing a hostile body
/// recursively or hashing a password would take in a debug build.
const QUICK: Duration = Duration::from_millis(100);

#[actix_web::test]
async fn duplicate_keys_are_400_before_anything_is_done() {
    let app = app!(state(settings()));
    // The second `email` must not win over the first (or the other way round) in
    // some parser along the way: the body is refused.
    let body = format!(
        r#"{{"email":"a@example.com","password":"{PASSWORD}","name":"Ada","email":"b@example.com"}}"#
    );
    let started = Instant::now();
    let answer = call!(app, raw_json(Method::POST, "/api/v1/auth/register", body));
    assert!(started.elapsed() < QUICK, "{:?}", started.elapsed());
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.code(), "validation_failed");
    assert_eq!(answer.json()["errors"][0]["field"], "email");
    assert_eq!(answer.json()["errors"][0]["code"], "duplicate_field");
    // Nobody was registered under either address.
    for email in ["a@example.com", "b@example.com"] {
        let answer = call!(app, super::support::login(email, PASSWORD));
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{email}");
    }

    // Thousands of repeats within 16 KiB: refused at the second one.
    let many = format!("{{{}\"x\":1}}", r#""name":"n","#.repeat(1400));
    let started = Instant::now();
    let answer = call!(app, raw_json(Method::POST, "/api/v1/auth/login", many));
    assert!(started.elapsed() < QUICK, "{:?}", started.elapsed());
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.code(), "validation_failed");
}

#[actix_web::test]
async fn deep_nesting_is_refused_quickly_without_recursing() {
    let app = app!(state(settings()));
    let within_limit = 16 * 1024 - 64;
    for (what, body, status, code) in [
        (
            "16k brackets",
            "[".repeat(within_limit),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "16k braces",
            r#"{"a":"#.repeat(within_limit / 5),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "balanced 4k",
            format!("{}{}", "[".repeat(4096), "]".repeat(4096)),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "a deep field value",
            format!(
                r#"{{"email":{}1{},"password":"x","name":"n"}}"#,
                "[".repeat(4000),
                "]".repeat(4000)
            ),
            StatusCode::BAD_REQUEST,
            "validation_failed",
        ),
        (
            "100k brackets",
            "[".repeat(100_000),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ] {
        for uri in ["/api/v1/auth/register", "/api/v1/auth/login"] {
            let started = Instant::now();
            let answer = call!(app, raw_json(Method::POST, uri, body.clone()));
            let took = started.elapsed();
            assert!(took < QUICK, "{what} on {uri}: {took:?}");
            assert_eq!(
                (answer.status, answer.code().as_str()),
                (status, code),
                "{what} on {uri}"
            );
        }
    }
}

#[actix_web::test]
async fn over_long_emails_and_names_are_400_on_every_path_that_takes_them() {
    let app = app!(state(settings()));
    // 64-byte local part, 254 bytes in all: the longest address SMTP carries.
    let local = "l".repeat(64);
    let domain = format!(
        "{}.example.com",
        "d".repeat(254 - 64 - 1 - ".example.com".len())
    );
    let longest = format!("{local}@{domain}");
    assert_eq!(longest.len(), 254);
    let too_long = format!("{local}@d{domain}");
    let local_too_long = format!("{}@example.com", "l".repeat(65));
    let longest_name = "名".repeat(100);
    let too_long_name = "n".repeat(101);
    let too_long_wide_name = "💥".repeat(101);

    // Register: the edges are accepted, one past them refused.
    let (token, _) = signed_up!(app, &longest);
    for (email, name, field) in [
        (too_long.as_str(), "Ada", "email"),
        (local_too_long.as_str(), "Ada", "email"),
        ("b@example.com", too_long_name.as_str(), "name"),
        ("b@example.com", too_long_wide_name.as_str(), "name"),
    ] {
        let answer = call!(
            app,
            TestRequest::post()
                .uri("/api/v1/auth/register")
                .set_json(json!({"email": email, "password": PASSWORD, "name": name}))
        );
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{field}: {answer:?}"
        );
        assert_eq!(answer.json()["errors"][0]["field"], field);
    }
    let answer = call!(
        app,
        TestRequest::post().uri("/api/v1/auth/register").set_json(
            json!({"email": "c@example.com", "password": PASSWORD, "name": longest_name})
        )
    );
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "100 characters: {answer:?}"
    );

    // Login and the mail flows: an address no account can have is refused, not looked up.
    for uri in [
        "/api/v1/auth/login",
        "/api/v1/auth/password/forgot",
        "/api/v1/auth/email/resend",
    ] {
        let body = if uri.ends_with("login") {
            json!({"email": too_long, "password": PASSWORD})
        } else {
            json!({"email": too_long})
        };
        let answer = call!(app, TestRequest::post().uri(uri).set_json(body));
        assert!(
            answer.status == StatusCode::BAD_REQUEST || answer.status == StatusCode::ACCEPTED,
            "{uri}: {answer:?}"
        );
        answer.check_contract().unwrap();
    }

    // Profile edit.
    let answer = call!(
        app,
        TestRequest::patch()
            .uri("/api/v1/me")
            .insert_header(("authorization", format!("Bearer {token}")))
            .set_json(json!({"name": too_long_wide_name}))
    );
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert_eq!(answer.json()["errors"][0]["field"], "name");
    // The user lookup by address.
    let answer = call!(
        app,
        TestRequest::get()
            .uri(&format!("/api/v1/users/email/{too_long}"))
            .insert_header(("authorization", format!("Bearer {token}")))
    );
    assert!(answer.status.is_client_error(), "{answer:?}");
    answer.check_contract().unwrap();
}

#[actix_web::test]
async fn admin_paths_refuse_over_long_emails_and_names_too() {
    let state = state(settings());
    let app = app!(state.clone());
    let mut actor = super::support::Actor::new(&state).await;
    let token = actor.fresh_token(&state).await;
    let too_long = format!("{}@{}.example.com", "l".repeat(64), "d".repeat(180));
    for (body, field) in [
        (
            json!({"email": too_long, "password": PASSWORD, "name": "Ada"}),
            "email",
        ),
        (
            json!({"email": "e@example.com", "password": PASSWORD, "name": "n".repeat(101)}),
            "name",
        ),
    ] {
        let answer = call!(
            app,
            TestRequest::post()
                .uri("/api/v1/users")
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_json(body)
        );
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{field}: {answer:?}"
        );
        assert_eq!(answer.json()["errors"][0]["field"], field);
    }
    for (body, field) in [
        (json!({"email": too_long}), "email"),
        (json!({"name": "\u{202e}".repeat(3)}), "name"),
    ] {
        let answer = call!(
            app,
            TestRequest::put()
                .uri(&format!("/api/v1/users/{}", actor.user_id))
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_json(body)
        );
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{field}: {answer:?}"
        );
        assert_eq!(answer.json()["errors"][0]["field"], field);
    }
}
