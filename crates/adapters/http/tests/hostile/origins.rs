//! Origins (SPEC §3), beyond the first round in `tests/api.rs`: the Bearer exemption
//! from the CSRF check and what it must not open, the refresh cookie alone, and CORS
//! answers that caches cannot mix up.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;

use super::support::{APP, Answer, app, call, register, settings, signed_up, state};

/// Origins that are almost the allowed one.
const NEAR_MISSES: &[&str] = &[
    "https://evil.example",
    "null",
    "https://app.example.com.evil.example",
    "https://evilapp.example.com",
    "https://app.example.co",
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://app.example.com:443.evil.example",
    "https://app.example.com.",
    "https://app.example.com/",
    "https://app.example.com@evil.example",
    "HTTPS://APP.EXAMPLE.COM.EVIL.EXAMPLE",
];

/// Registers in cookie mode and returns the `Cookie` header a browser would send.
macro_rules! browser_session {
    ($app:expr) => {{
        let answer = call!(
            $app,
            TestRequest::post()
                .uri("/api/v1/auth/register")
                .set_json(serde_json::json!({
                    "email": "browser@example.com",
                    "password": super::support::PASSWORD,
                    "name": "B",
                }))
        );
        assert_eq!(answer.status, StatusCode::CREATED);
        cookie_header(&answer)
    }};
}

fn cookie_header(answer: &Answer) -> String {
    answer
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

#[actix_web::test]
async fn bearer_requests_are_exempt_from_the_origin_check() {
    let app = app!(state(settings()));
    let cookies = browser_session!(app);
    let (token, _) = signed_up!(app, "native@example.com");
    // A foreign Origin cannot make a browser attach an Authorization header without a
    // CORS preflight this service refuses, so Bearer requests pass whatever the origin,
    // with stray cookies or without.
    for origin in ["https://evil.example", "null"] {
        let answer = call!(
            app,
            TestRequest::patch()
                .uri("/api/v1/me")
                .insert_header(("authorization", format!("Bearer {token}")))
                .insert_header(("origin", origin))
                .insert_header(("sec-fetch-site", "cross-site"))
                .set_json(serde_json::json!({"name": "Renamed"}))
        );
        assert_eq!(answer.status, StatusCode::OK, "{origin}: {answer:?}");
        let answer = call!(
            app,
            TestRequest::patch()
                .uri("/api/v1/me")
                .insert_header(("authorization", format!("Bearer {token}")))
                .insert_header(("cookie", cookies.clone()))
                .insert_header(("origin", origin))
                .set_json(serde_json::json!({"name": "Renamed"}))
        );
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{origin} with cookies: {answer:?}"
        );
    }
    let answer = call!(
        app,
        TestRequest::post()
            .uri("/api/v1/auth/logout-all")
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("origin", "https://evil.example"))
    );
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn a_fake_bearer_header_never_lends_the_cookie_its_exemption() {
    let app = app!(state(settings()));
    let cookies = browser_session!(app);
    // `Authorization: Bearer <garbage>` skips the origin check; the cookie must then
    // not be what authenticates the request.
    for uri in ["/api/v1/auth/logout-all", "/api/v1/me"] {
        let method = if uri.ends_with("me") {
            Method::DELETE
        } else {
            Method::POST
        };
        let answer = call!(
            app,
            TestRequest::default()
                .method(method)
                .uri(uri)
                .insert_header(("authorization", "Bearer not-a-token"))
                .insert_header(("cookie", cookies.clone()))
                .insert_header(("origin", "https://evil.example"))
                .set_json(serde_json::json!({"password": super::support::PASSWORD}))
        );
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{uri}: {answer:?}");
        assert_eq!(answer.code(), "invalid_token");
    }
    let answer = call!(
        app,
        TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(("cookie", cookies))
    );
    assert_eq!(answer.status, StatusCode::OK, "the session is intact");
}

#[actix_web::test]
async fn the_refresh_cookie_alone_is_guarded_too() {
    let app = app!(state(settings()));
    let cookies = browser_session!(app);
    let refresh_only: String = cookies
        .split("; ")
        .filter(|c| c.starts_with("refresh_token="))
        .collect();
    assert!(!refresh_only.is_empty());
    for (name, value) in [
        ("origin", "null"),
        ("origin", "https://app.example.com.evil.example"),
        ("referer", "https://evil.example/page"),
        ("referer", "https://app.example.com@evil.example/"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for uri in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
            let answer = call!(
                app,
                TestRequest::post()
                    .uri(uri)
                    .insert_header(("cookie", refresh_only.clone()))
                    .insert_header((name, value))
            );
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{uri} {name}: {value}"
            );
            assert_eq!(answer.code(), "csrf_origin_mismatch");
        }
    }
    // From the application itself (Referer only, as some browsers send), it works.
    let answer = call!(
        app,
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .insert_header(("cookie", refresh_only))
            .insert_header(("referer", format!("{APP}/account")))
    );
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
}

#[actix_web::test]
async fn cors_answers_vary_on_origin_and_near_misses_get_no_cors_headers() {
    let app = app!(state(settings()));
    let acao = |a: &Answer| a.headers.contains_key("access-control-allow-origin");
    let varies = |a: &Answer| {
        a.headers
            .get_all("vary")
            .any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("origin"))
    };
    // Every answer varies on Origin — with the allowed one, another one, or none — so
    // no cache hands one origin's answer to another.
    for origin in std::iter::once(Some(APP))
        .chain(NEAR_MISSES.iter().copied().map(Some))
        .chain([None])
    {
        for req in [
            TestRequest::get().uri("/"),
            TestRequest::get().uri("/api/v1/me"),
            register("cors@example.com", super::support::PASSWORD),
        ] {
            let req = match origin {
                Some(o) => req.insert_header(("origin", o)),
                None => req,
            };
            let answer = call!(app, req);
            assert!(varies(&answer), "{origin:?}: {:?}", answer.headers);
            assert_eq!(acao(&answer), origin == Some(APP), "{origin:?}");
            assert_ne!(answer.header("access-control-allow-origin"), "*");
        }
    }
    // Preflights: only the exact origin is answered with CORS headers.
    for origin in NEAR_MISSES {
        let answer = call!(
            app,
            TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/api/v1/auth/login")
                .insert_header(("origin", *origin))
                .insert_header(("access-control-request-method", "POST"))
                .insert_header(("access-control-request-headers", "authorization"))
        );
        assert!(
            !acao(&answer),
            "preflight from {origin}: {:?}",
            answer.headers
        );
        assert!(
            !answer
                .headers
                .contains_key("access-control-allow-credentials"),
            "{origin}"
        );
    }
}
