//! The HTTP face through `actix_web::test`: statuses, problem codes, cookies, CSRF,
//! headers, hostile bodies — with the real use cases on in-memory stores.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use portcullis_core::{AuthPolicy, AuthService, Deps};
use portcullis_crypto::{
    BcryptHasher, JwtCodec, JwtConfig, JwtKey, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_http::{AppState, CookieSettings, HttpSettings, RateLimits, SameSite, TrustedNet};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryRefreshTokenStore,
    MemorySessionRepository, MemoryUserRepository,
};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";
const APP: &str = "https://app.example.com";

fn state(settings: HttpSettings) -> web::Data<AppState> {
    let codec = JwtCodec::new(JwtConfig {
        issuer: "test".into(),
        audience: "test".into(),
        leeway: std::time::Duration::from_secs(30),
        key: JwtKey::Hs256 {
            secret: vec![7; 32],
        },
    })
    .unwrap();
    let deps = Deps {
        users: Arc::new(MemoryUserRepository::new()),
        sessions: Arc::new(MemorySessionRepository::new()),
        refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
        deny_list: Arc::new(MemoryDenyList::new()),
        lockout: Arc::new(MemoryLockoutStore::new()),
        limiter: Arc::new(portcullis_memory::MemoryRateLimiter::new()),
        one_time_tokens: Arc::new(portcullis_memory::MemoryOneTimeTokens::new()),
        notifier: Arc::new(NullNotifier),
        mfa: Arc::new(portcullis_memory::MemoryMfaRepository::new()),
        sealer: Arc::new(portcullis_crypto::ChaChaSealer::new([9; 32])),
        hasher: Arc::new(BcryptHasher::new(4, 4).unwrap()),
        codec: Arc::new(codec),
        audit: Arc::new(MemoryAuditLog::new()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7Ids),
        random: Arc::new(OsRandom),
    };
    web::Data::new(AppState {
        service: AuthService::new(deps, AuthPolicy::default()),
        settings: Arc::new(settings),
        health: Arc::new(Vec::new()),
        metrics: None,
    })
}

/// Local mode with budgets too large to interfere.
fn local() -> HttpSettings {
    HttpSettings {
        allowed_origins: vec![APP.to_owned()],
        rate_limits: RateLimits {
            auth: 1000,
            refresh: 1000,
            sessions: 1000,
            users: 1000,
            fail_open: false,
        },
        ..HttpSettings::default()
    }
}

/// Local mode with the SPEC default budgets.
fn limited() -> HttpSettings {
    HttpSettings {
        rate_limits: RateLimits::default(),
        ..local()
    }
}

fn production() -> HttpSettings {
    HttpSettings {
        cookies: CookieSettings {
            same_site: SameSite::Strict,
            secure: true,
            prefixed: true,
        },
        allowed_origins: vec![APP.to_owned()],
        hsts: true,
        ..HttpSettings::default()
    }
}

macro_rules! app {
    ($settings:expr) => {
        test::init_service(portcullis_http::app(state($settings))).await
    };
}

async fn problem<B: MessageBody>(res: ServiceResponse<B>) -> (StatusCode, String) {
    let status = res.status();
    assert_eq!(
        hdr(res.headers(), "content-type"),
        "application/problem+json"
    );
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:portcullis:problem:")
    );
    (status, body["code"].as_str().unwrap().to_owned())
}

fn register(email: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/register")
        .peer_addr("198.51.100.1:4000".parse().unwrap())
        .set_json(json!({"email": email, "password": PASSWORD, "name": "Ada"}))
}

fn hdr<'a>(headers: &'a actix_web::http::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("<missing>", |v| v.to_str().unwrap())
}

fn cookies<B>(res: &ServiceResponse<B>) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

#[actix_web::test]
async fn cookies_follow_spec_3_in_local_mode() {
    let app = app!(local());
    let res = test::call_service(&app, register("a@example.com").to_request()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let set = cookies(&res);
    let access = set.iter().find(|c| c.starts_with("access_token=")).unwrap();
    let refresh = set
        .iter()
        .find(|c| c.starts_with("refresh_token="))
        .unwrap();
    for c in [access, refresh] {
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"),
            "{c}"
        );
    }
    assert!(
        access.contains("Path=/;") || access.ends_with("Path=/"),
        "{access}"
    );
    assert!(refresh.contains("Path=/api/v1/auth"), "{refresh}");
    assert_eq!(hdr(res.headers(), "cache-control"), "no-store");
}

#[actix_web::test]
async fn cookies_carry_prefixes_secure_and_strict_in_production() {
    let app = app!(production());
    let res = test::call_service(&app, register("a@example.com").to_request()).await;
    let set = cookies(&res);
    let access = set
        .iter()
        .find(|c| c.starts_with("__Host-access_token="))
        .expect("__Host- access cookie");
    let refresh = set
        .iter()
        .find(|c| c.starts_with("__Secure-refresh_token="))
        .expect("__Secure- refresh cookie");
    for c in [access, refresh] {
        assert!(
            c.contains("Secure") && c.contains("SameSite=Strict") && c.contains("HttpOnly"),
            "{c}"
        );
    }
    assert!(res.headers().contains_key("strict-transport-security"));
}

#[actix_web::test]
async fn security_headers_are_on_every_response_errors_included() {
    let app = app!(local());
    for req in [
        TestRequest::get().uri("/").to_request(),
        TestRequest::get().uri("/nope").to_request(),
    ] {
        let res = test::call_service(&app, req).await;
        let h = res.headers();
        assert_eq!(hdr(h, "x-content-type-options"), "nosniff");
        assert_eq!(hdr(h, "x-frame-options"), "DENY");
        assert_eq!(hdr(h, "referrer-policy"), "no-referrer");
        assert_eq!(
            hdr(h, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert!(!h.contains_key("server"));
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS in local mode"
        );
    }
}

#[actix_web::test]
async fn request_ids_are_echoed_when_well_formed_and_generated_otherwise() {
    let app = app!(local());
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("x-request-id", "abc-123.X_y"))
            .to_request(),
    )
    .await;
    assert_eq!(hdr(res.headers(), "x-request-id"), "abc-123.X_y");
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("x-request-id", "bad id!"))
            .to_request(),
    )
    .await;
    let id = hdr(res.headers(), "x-request-id");
    assert!(id != "bad id!" && !id.is_empty());
}

#[actix_web::test]
async fn body_rules_415_413_400() {
    let app = app!(local());
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("content-type", "text/plain"))
            .set_payload("{}")
            .to_request(),
    )
    .await;
    assert_eq!(
        problem(res).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".into()
        )
    );

    // A body over the limit: declared, and streamed without a Content-Length.
    let mut req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header(("content-type", "application/json"))
        .set_payload(vec![b' '; 17 * 1024])
        .to_request();
    req.headers_mut().remove("content-length");
    let res = test::call_service(&app, req).await;
    assert_eq!(
        problem(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("content-type", "application/json"))
            .set_payload(vec![b' '; 17 * 1024])
            .to_request(),
    )
    .await;
    assert_eq!(
        problem(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );

    for (body, code) in [
        (
            r#"{"email":"a@b.co","password":"x","name":"n","role":"admin"}"#,
            "validation_failed",
        ),
        (
            r#"{"email":"a@b.co","password":"x","name":"n","email_verified":true}"#,
            "validation_failed",
        ),
        (
            r#"{"email":1,"password":"x","name":"n"}"#,
            "validation_failed",
        ),
        (
            r#"{"email":"a@b.co","password":"x\u0000y","name":"n"}"#,
            "validation_failed",
        ),
        (r#"{"email":"a@b.co""#, "malformed_json"),
        (
            r#"{"email":"a@b.co","password":"correct horse battery staple","name":"n"} {}"#,
            "malformed_json",
        ),
        (
            r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"#,
            "validation_failed",
        ),
        (
            r#"{"email":"bad","password":"correct horse battery staple","name":"n"}"#,
            "validation_failed",
        ),
        (
            r#"{"email":"a@b.co","password":"correct horse battery staple","name":"\u202Eevil"}"#,
            "validation_failed",
        ),
    ] {
        let res = test::call_service(
            &app,
            TestRequest::post()
                .uri("/api/v1/auth/register")
                .insert_header(("content-type", "application/json"))
                .set_payload(body)
                .to_request(),
        )
        .await;
        assert_eq!(
            problem(res).await,
            (StatusCode::BAD_REQUEST, code.to_owned()),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn validation_errors_name_the_field() {
    let app = app!(local());
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/register")
            .set_json(json!({"email": "nope", "password": "short", "name": "", "username": "x"}))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = test::read_body_json(res).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "name", "username"]);
    let res = test::call_service(
        &app,
        register("weak@example.com")
            .set_json(json!({"email": "weak@example.com", "password": "password1", "name": "W"}))
            .to_request(),
    )
    .await;
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["errors"][0]["field"], "password");
    assert_eq!(body["errors"][0]["code"], "password_too_common");
}

#[actix_web::test]
async fn wrong_methods_are_405_with_allow_and_trace_is_refused() {
    let app = app!(local());
    let res = test::call_service(
        &app,
        TestRequest::get().uri("/api/v1/auth/refresh").to_request(),
    )
    .await;
    assert_eq!(hdr(res.headers(), "allow"), "POST");
    assert_eq!(
        problem(res).await,
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed".into())
    );
    let res = test::call_service(&app, TestRequest::put().uri("/api/v1/me").to_request()).await;
    assert_eq!(hdr(res.headers(), "allow"), "GET, PATCH, DELETE");
    let res = test::call_service(
        &app,
        TestRequest::default()
            .method(actix_web::http::Method::TRACE)
            .uri("/api/v1/me")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let res =
        test::call_service(&app, TestRequest::get().uri("/api/v1/nothing").to_request()).await;
    assert_eq!(
        problem(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[actix_web::test]
async fn missing_and_bad_access_tokens_answer_per_rfc_6750() {
    let app = app!(local());
    let res = test::call_service(&app, TestRequest::get().uri("/api/v1/me").to_request()).await;
    assert_eq!(hdr(res.headers(), "www-authenticate"), "Bearer");
    assert_eq!(
        problem(res).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
    let mut bodies = Vec::new();
    for auth in [
        "Bearer garbage",
        "Bearer ",
        "Basic abc",
        "Bearer a.b.c",
        &format!("Bearer {}", "a".repeat(20_000)),
    ] {
        let res = test::call_service(
            &app,
            TestRequest::get()
                .uri("/api/v1/me")
                .insert_header(("authorization", auth))
                .to_request(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:.20}");
        assert_eq!(
            hdr(res.headers(), "www-authenticate"),
            r#"Bearer error="invalid_token""#
        );
        bodies.push(test::read_body(res).await);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "no oracle: the same body for every bad token"
    );
}

#[actix_web::test]
async fn csrf_cookie_requests_from_foreign_origins_are_refused() {
    let app = app!(local());
    let res = test::call_service(&app, register("a@example.com").to_request()).await;
    let jar: Vec<String> = cookies(&res).iter().map(|c| cookie_pair(c)).collect();
    let cookie_header = jar.join("; ");
    let logout = |origin: Option<(&'static str, &'static str)>| {
        let mut req = TestRequest::post()
            .uri("/api/v1/auth/logout-all")
            .insert_header(("cookie", cookie_header.clone()));
        if let Some(h) = origin {
            req = req.insert_header(h);
        }
        req.to_request()
    };
    for bad in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("origin", "https://app.example.com.evil.example"),
        ("origin", "http://app.example.com"),
        ("origin", "https://app.example.com:8443"),
        ("referer", "https://evil.example/page"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = test::call_service(&app, logout(Some(bad))).await;
        assert_eq!(
            problem(res).await,
            (StatusCode::FORBIDDEN, "csrf_origin_mismatch".into()),
            "{bad:?}"
        );
    }
    // A Bearer request is exempt; safe methods never change state.
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/api/v1/me")
            .insert_header(("cookie", cookie_header.clone()))
            .insert_header(("origin", "https://evil.example"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The allowed origin, and no Origin at all (curl, native apps), pass.
    let res = test::call_service(&app, logout(Some(("origin", APP)))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = test::call_service(&app, logout(None)).await;
    assert!(res.status() == StatusCode::NO_CONTENT || res.status() == StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let settings = HttpSettings {
        trusted_proxies: vec![TrustedNet {
            addr: "10.0.0.0".parse().unwrap(),
            prefix: 8,
        }],
        ..local()
    };
    let app = app!(settings);
    let res = test::call_service(
        &app,
        register("a@example.com")
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .to_request(),
    )
    .await;
    let body: Value = test::read_body_json(res).await;
    let _ = body;
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr("10.1.2.3:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.5"))
            .set_json(
                json!({"email": "a@example.com", "password": PASSWORD, "token_delivery": "body"}),
            )
            .to_request(),
    )
    .await;
    let body: Value = test::read_body_json(res).await;
    let token = body["access_token"].as_str().unwrap();
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/api/v1/auth/sessions")
            .insert_header(("authorization", format!("Bearer {token}")))
            .to_request(),
    )
    .await;
    let body: Value = test::read_body_json(res).await;
    let ips: Vec<&str> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ip"].as_str().unwrap())
        .collect();
    assert_eq!(
        ips,
        ["203.0.113.5", "198.51.100.1"],
        "trusted proxy → right-most untrusted hop; untrusted peer → peer"
    );
}

#[actix_web::test]
async fn each_auth_endpoint_has_its_own_budget_per_client_ip() {
    let app = app!(limited());
    for i in 0..5 {
        let res =
            test::call_service(&app, register(&format!("u{i}@example.com")).to_request()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(hdr(res.headers(), "x-ratelimit-limit"), "5");
        assert_eq!(
            hdr(res.headers(), "x-ratelimit-remaining"),
            (4 - i).to_string()
        );
        assert_eq!(
            hdr(res.headers(), "ratelimit-policy"),
            "\"register\";q=5;w=60"
        );
    }
    let res = test::call_service(&app, register("u5@example.com").to_request()).await;
    let retry: u64 = hdr(res.headers(), "retry-after").parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(hdr(res.headers(), "x-ratelimit-remaining"), "0");
    assert!(hdr(res.headers(), "ratelimit").starts_with("\"register\";r=0;t="));
    assert_eq!(
        problem(res).await,
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    // Another IP, and another endpoint from the same IP, have their own budgets.
    let other = register("u6@example.com").peer_addr("198.51.100.2:4000".parse().unwrap());
    assert_eq!(
        test::call_service(&app, other.to_request()).await.status(),
        StatusCode::CREATED
    );
    let login = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("198.51.100.1:4000".parse().unwrap())
        .set_json(json!({"email": "u0@example.com", "password": PASSWORD}));
    assert_eq!(
        test::call_service(&app, login.to_request()).await.status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_cannot_pick_a_fresh_budget() {
    let app = app!(limited());
    for i in 0..6 {
        let req = register(&format!("s{i}@example.com"))
            .insert_header(("x-forwarded-for", format!("10.9.9.{i}")));
        let res = test::call_service(&app, req.to_request()).await;
        let expected = if i < 5 {
            StatusCode::CREATED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(res.status(), expected, "attempt {i}");
    }
}

#[actix_web::test]
async fn cors_echoes_only_allowed_origins_with_credentials() {
    let app = app!(local());
    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/")
            .insert_header(("origin", APP))
            .to_request(),
    )
    .await;
    assert_eq!(hdr(res.headers(), "access-control-allow-origin"), APP);
    assert_eq!(
        hdr(res.headers(), "access-control-allow-credentials"),
        "true"
    );
    assert!(
        hdr(res.headers(), "vary")
            .to_ascii_lowercase()
            .contains("origin")
    );
    for evil in [
        "https://evil.example",
        "null",
        "https://app.example.com.evil.example",
        "http://app.example.com",
        "https://app.example.com:444",
    ] {
        let res = test::call_service(
            &app,
            TestRequest::get()
                .uri("/")
                .insert_header(("origin", evil))
                .to_request(),
        )
        .await;
        assert!(
            !res.headers().contains_key("access-control-allow-origin"),
            "{evil}"
        );
    }
    let preflight = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/v1/auth/login")
        .insert_header(("origin", APP))
        .insert_header(("access-control-request-method", "POST"))
        .insert_header(("access-control-request-headers", "content-type"))
        .to_request();
    let res = test::call_service(&app, preflight).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(hdr(res.headers(), "access-control-allow-origin"), APP);
    assert_ne!(hdr(res.headers(), "access-control-allow-origin"), "*");
}

/// Drops every notice (these tests do not read mail).
struct NullNotifier;

#[async_trait::async_trait]
impl portcullis_domain::ports::Notifier for NullNotifier {
    async fn notify(
        &self,
        _: &portcullis_domain::Email,
        _: &portcullis_domain::Notice,
    ) -> Result<(), portcullis_domain::StoreError> {
        Ok(())
    }
}

#[actix_web::test]
async fn the_metrics_listener_serves_only_metrics_behind_its_token() {
    let endpoint = portcullis_http::MetricsEndpoint {
        render: Arc::new(|| "portcullis_up 1\n".to_owned()),
        token: Some("scrape-token".to_owned()),
    };
    let app = test::init_service(portcullis_http::metrics_app(endpoint)).await;

    let res = test::call_service(
        &app,
        TestRequest::get()
            .uri("/metrics")
            .insert_header(("authorization", "Bearer scrape-token"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(hdr(res.headers(), "content-type").starts_with("text/plain"));
    assert_eq!(hdr(res.headers(), "x-content-type-options"), "nosniff");
    assert_eq!(test::read_body(res).await, "portcullis_up 1\n");

    let bare = TestRequest::get().uri("/metrics").to_request();
    let res = test::call_service(&app, bare).await;
    assert_eq!(
        problem(res).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned())
    );
    let wrong = TestRequest::get()
        .uri("/metrics")
        .insert_header(("authorization", "Bearer nope"))
        .to_request();
    let res = test::call_service(&app, wrong).await;
    assert_eq!(
        problem(res).await,
        (StatusCode::UNAUTHORIZED, "invalid_token".to_owned())
    );
    let post = TestRequest::post().uri("/metrics").to_request();
    let res = test::call_service(&app, post).await;
    assert_eq!(hdr(res.headers(), "allow"), "GET");
    assert_eq!(problem(res).await.0, StatusCode::METHOD_NOT_ALLOWED);
    for path in ["/", "/health", "/api/v1/auth/login"] {
        let res = test::call_service(&app, TestRequest::get().uri(path).to_request()).await;
        assert_eq!(
            problem(res).await,
            (StatusCode::NOT_FOUND, "not_found".to_owned()),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn without_a_metrics_endpoint_the_main_app_answers_404() {
    let app = app!(local());
    let res = test::call_service(&app, TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(
        problem(res).await,
        (StatusCode::NOT_FOUND, "not_found".to_owned())
    );
}
