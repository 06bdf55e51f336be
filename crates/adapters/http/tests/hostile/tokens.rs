//! Oversized and odd-shaped access tokens (SPEC §4): a 16 KiB JWT, a five-part JWE and
//! a valid token with extra bytes get exactly the 401 that garbage gets, by Bearer and
//! by cookie, on every kind of authenticated route (the rate limiter authenticates the
//! per-user ones first).

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::support::{Answer, app, call, settings, signed_up, state};

fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// Tokens that must all be refused alike.
fn hostile_tokens(valid: &str) -> Vec<(&'static str, String)> {
    let header = b64(r#"{"alg":"HS256","typ":"JWT","kid":"x"}"#);
    let padding = "A".repeat(16 * 1024);
    let big_claims = b64(&format!(r#"{{"sub":"x","pad":"{padding}"}}"#));
    vec![
        ("garbage", "garbage".to_owned()),
        ("16 KiB JWT", format!("{header}.{big_claims}.c2ln")),
        (
            "16 KiB kid",
            format!(
                "{}.{}.c2ln",
                b64(&format!(
                    r#"{{"alg":"HS256","typ":"JWT","kid":"{padding}"}}"#
                )),
                b64("{}")
            ),
        ),
        (
            "JWE",
            format!(
                "{}.{}.{}.{}.{}",
                b64(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#),
                b64("key"),
                b64("iv"),
                b64("ciphertext"),
                b64("tag")
            ),
        ),
        (
            "JWE of dir",
            format!(
                "{}..{}.{}.{}",
                b64(r#"{"alg":"dir","enc":"A128GCM"}"#),
                b64("iv"),
                b64("c"),
                b64("t")
            ),
        ),
        ("valid plus a segment", format!("{valid}.{}", b64("x"))),
        ("valid with padding", format!("{valid}==")),
        ("valid twice", format!("{valid}{valid}")),
        ("valid, then 16 KiB", format!("{valid}{padding}")),
    ]
}

#[actix_web::test]
async fn oversized_and_jwe_tokens_get_the_same_401_as_garbage() {
    let app = app!(state(settings()));
    let (valid, _) = signed_up!(app, "a@example.com");
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    for uri in ["/api/v1/me", "/api/v1/auth/sessions", "/api/v1/users"] {
        for (what, token) in hostile_tokens(&valid) {
            for by_cookie in [false, true] {
                let req = TestRequest::get().uri(uri);
                let req = if by_cookie {
                    req.insert_header(("cookie", format!("access_token={token}")))
                } else {
                    req.insert_header(("authorization", format!("Bearer {token}")))
                };
                let answer: Answer = call!(app, req);
                let label = format!(
                    "{what} by {} on {uri}",
                    if by_cookie { "cookie" } else { "Bearer" }
                );
                assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{label}");
                assert_eq!(answer.code(), "invalid_token", "{label}");
                assert_eq!(
                    answer.header("www-authenticate"),
                    r#"Bearer error="invalid_token""#,
                    "{label}"
                );
                bodies.push((label, answer.body));
            }
        }
    }
    let (first_label, first) = &bodies[0];
    for (label, body) in &bodies {
        assert_eq!(body, first, "{label} differs from {first_label}: an oracle");
    }
    // And the real token still works.
    let answer = call!(
        app,
        TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(("authorization", format!("Bearer {valid}")))
    );
    assert_eq!(answer.status, StatusCode::OK);
}
