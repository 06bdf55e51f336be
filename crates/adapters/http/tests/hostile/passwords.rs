//! Passwords at bcrypt's edge (SPEC §6): 71 bytes is the longest a password can be;
//! 72 and more are refused wherever a password is set, and never truncated where one
//! is checked — bcrypt's own `hash`/`verify` would compare only the first 72 bytes.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

use super::support::{Actor, PASSWORD, app, call, login, register, settings, signed_up, state};

/// A password of exactly 71 bytes that passes the policy.
fn longest() -> String {
    let text: String = PASSWORD.repeat(3).chars().take(71).collect();
    assert_eq!(text.len(), 71);
    text
}

/// 72-byte variants: one ASCII byte more, and a two-byte character at the end (71
/// characters, 72 bytes).
fn too_long() -> [String; 2] {
    let ascii = format!("{}x", longest());
    let wide = format!("{}é", &longest()[..70]);
    assert_eq!((ascii.len(), wide.len()), (72, 72));
    [ascii, wide]
}

#[actix_web::test]
async fn a_72_byte_password_cannot_be_registered() {
    let app = app!(state(settings()));
    for (i, password) in too_long().into_iter().enumerate() {
        let email = format!("long{i}@example.com");
        let answer = call!(app, register(&email, &password));
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
        assert_eq!(answer.json()["errors"][0]["field"], "password");
        assert_eq!(answer.json()["errors"][0]["code"], "password_too_long");
        // Nothing was stored under its 71-byte prefix either.
        let answer = call!(app, login(&email, &longest()));
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let answer = call!(app, register("edge@example.com", &longest()));
    assert_eq!(answer.status, StatusCode::CREATED, "71 bytes: {answer:?}");
}

#[actix_web::test]
async fn a_login_with_the_real_password_plus_more_bytes_fails() {
    let app = app!(state(settings()));
    let real = longest();
    let answer = call!(app, register("edge@example.com", &real));
    assert_eq!(answer.status, StatusCode::CREATED);
    let refused = call!(app, login("edge@example.com", "not the password at all"));
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    for (what, attempt) in [
        ("72 bytes, 71 of them right", format!("{real}x")),
        ("73 bytes ending in é", format!("{real}é")),
        (
            "real password and then some",
            format!("{real}{}", "x".repeat(200)),
        ),
        ("70 bytes, all right", real[..70].to_owned()),
    ] {
        let answer = call!(app, login("edge@example.com", &attempt));
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(
            answer.body, refused.body,
            "{what}: the one invalid_credentials body"
        );
    }
    let answer = call!(app, login("edge@example.com", &real));
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the exact password still works"
    );
}

#[actix_web::test]
async fn a_72_byte_password_cannot_be_set_by_change_or_by_an_admin() {
    let state = state(settings());
    let app = app!(state.clone());
    let (token, user_id) = signed_up!(app, "ada@example.com");
    for password in too_long() {
        let answer = call!(
            app,
            TestRequest::put()
                .uri("/api/v1/me/password")
                .insert_header(("authorization", format!("Bearer {token}")))
                .set_json(json!({"current_password": PASSWORD, "new_password": password}))
        );
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
        assert_eq!(answer.json()["errors"][0]["field"], "new_password");
        assert_eq!(answer.json()["errors"][0]["code"], "password_too_long");
    }

    let mut admin = Actor::new(&state).await;
    let admin_token = admin.fresh_token(&state).await;
    for password in too_long() {
        let answer = call!(
            app,
            TestRequest::post()
                .uri("/api/v1/users")
                .insert_header(("authorization", format!("Bearer {admin_token}")))
                .set_json(json!({"email": "new@example.com", "password": password, "name": "N"}))
        );
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "create: {answer:?}");
        assert_eq!(answer.json()["errors"][0]["code"], "password_too_long");
        let answer = call!(
            app,
            TestRequest::put()
                .uri(&format!("/api/v1/users/{user_id}"))
                .insert_header(("authorization", format!("Bearer {admin_token}")))
                .set_json(json!({"password": password}))
        );
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "admin set: {answer:?}"
        );
        assert_eq!(answer.json()["errors"][0]["code"], "password_too_long");
    }
    // The account still has its password.
    let answer = call!(app, login("ada@example.com", PASSWORD));
    assert_eq!(answer.status, StatusCode::OK);
}
