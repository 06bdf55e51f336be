//! The token extraction and CSRF guard of the HTTP face, through the whole actix
//! application on in-memory stores: arbitrary `Authorization`, `Cookie`, `Origin`,
//! `Referer` and `Sec-Fetch-Site` values on authenticated routes. `Authorization` and
//! `Cookie` are often a valid access token wrapped in arbitrary bytes (and `$A$` in raw
//! bytes becomes the token), so the fuzzer reaches the authenticated paths and tries
//! odd schemes, spacing, quoting and duplicate cookies around a real token.
//!
//! Properties: never a 5xx; every 4xx is problem+json with a code; a 2xx on an
//! authenticated route only when the request carried the valid token; never through
//! the cookie when an `Authorization` header is present; a cookie-authenticated state
//! change only from no origin or the allowed origin, and never `cross-site`.

#![no_main]

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_http::Request;

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode};
use actix_web::rt::{System, SystemRunner};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use portcullis_core::{AuthPolicy, AuthService, Deps, RegisterOutcome, Registration};
use portcullis_crypto::{
    BcryptHasher, ChaChaSealer, JwtCodec, JwtConfig, JwtKey, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_domain::{ClientInfo, DisplayName, Email, PlainPassword};
use portcullis_http::middleware::normalize_origin;
use portcullis_http::{AppState, HttpSettings, RateLimits};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryMfaRepository, MemoryOneTimeTokens,
    MemoryRateLimiter, MemoryRefreshTokenStore, MemorySessionRepository, MemoryUserRepository,
};

const APP: &str = "https://app.example.com";
const MARKER: &[u8] = b"$A$";

/// One request through the application, answered as (status, content type, body).
type Call = Box<dyn Fn(Request) -> Pin<Box<dyn Future<Output = (StatusCode, Vec<u8>, Vec<u8>)>>>>;

/// The application, built once (building it per input would measure actix-router's
/// pattern cache, which LeakSanitizer reports), and a valid access token.
struct World {
    system: SystemRunner,
    call: Call,
    token: String,
}

fn state() -> web::Data<AppState> {
    let codec = JwtCodec::new(JwtConfig {
        issuer: "fuzz".into(),
        audience: "fuzz".into(),
        leeway: std::time::Duration::from_secs(30),
        key: JwtKey::Hs256 {
            secret: vec![7; 32],
        },
    })
    .expect("codec");
    let deps = Deps {
        users: Arc::new(MemoryUserRepository::new()),
        sessions: Arc::new(MemorySessionRepository::new()),
        refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
        deny_list: Arc::new(MemoryDenyList::new()),
        lockout: Arc::new(MemoryLockoutStore::new()),
        limiter: Arc::new(MemoryRateLimiter::new()),
        one_time_tokens: Arc::new(MemoryOneTimeTokens::new()),
        notifier: Arc::new(NullNotifier),
        mfa: Arc::new(MemoryMfaRepository::new()),
        sealer: Arc::new(ChaChaSealer::new([9; 32])),
        hasher: Arc::new(BcryptHasher::new(4, 2).expect("hasher")),
        codec: Arc::new(codec),
        audit: Arc::new(MemoryAuditLog::new()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7Ids),
        random: Arc::new(OsRandom),
    };
    let limit = 1_000_000_000;
    web::Data::new(AppState {
        service: AuthService::new(deps, AuthPolicy::default()),
        settings: Arc::new(HttpSettings {
            allowed_origins: vec![APP.to_owned()],
            rate_limits: RateLimits {
                auth: limit,
                refresh: limit,
                sessions: limit,
                users: limit,
                fail_open: false,
            },
            ..HttpSettings::default()
        }),
        health: Arc::new(Vec::new()),
        metrics: None,
    })
}

impl World {
    fn new() -> Self {
        let system = System::new();
        let state = state();
        let token = system.block_on(async {
            let registration = Registration {
                email: Email::parse("fuzz@example.com").expect("email"),
                password: PlainPassword::new_unchecked("correct horse battery staple".into()),
                name: DisplayName::parse("Fuzz").expect("name"),
                username: None,
            };
            match state
                .service
                .register(registration, &ClientInfo::default())
                .await
            {
                Ok(RegisterOutcome::Session(issued)) => issued.access_token.expose().to_owned(),
                _ => panic!("registration failed"),
            }
        });
        let app = Rc::new(system.block_on(test::init_service(portcullis_http::app(state))));
        let call: Call = Box::new(move |req| {
            let app = Rc::clone(&app);
            Box::pin(async move {
                let res = test::call_service(&*app, req).await;
                let status = res.status();
                let content_type = res
                    .headers()
                    .get("content-type")
                    .map(|v| v.as_bytes().to_vec())
                    .unwrap_or_default();
                (status, content_type, test::read_body(res).await.to_vec())
            })
        });
        Self {
            system,
            call,
            token,
        }
    }
}

thread_local! {
    // Leaked on purpose: dropping the application at thread exit would touch actix's
    // own thread-locals after they are gone.
    static WORLD: &'static World = Box::leak(Box::new(World::new()));
}

#[derive(Debug, Arbitrary)]
struct Input {
    route: u8,
    session: u128,
    authorization: Option<Credential>,
    cookie: Option<Credential>,
    origin: Vec<Site>,
    referer: Option<Site>,
    fetch_site: Option<FetchSite>,
}

/// A header that holds the valid token in some wrapping, or arbitrary bytes (where
/// `$A$` still becomes the token).
#[derive(Debug, Arbitrary)]
enum Credential {
    Raw(Vec<u8>),
    Wrapped {
        prefix: Prefix,
        before: Vec<u8>,
        after: Vec<u8>,
    },
}

#[derive(Debug, Arbitrary)]
enum Prefix {
    Bearer,
    LowerBearer,
    AccessCookie,
    RefreshCookie,
    Other(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum Site {
    App,
    AppPage(Vec<u8>),
    Null,
    Evil,
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum FetchSite {
    CrossSite,
    SameSite,
    SameOrigin,
    Raw(Vec<u8>),
}

impl Credential {
    fn bytes(&self, token: &str) -> Vec<u8> {
        match self {
            Self::Raw(raw) => with_token(raw, token),
            Self::Wrapped {
                prefix,
                before,
                after,
            } => {
                let prefix: &[u8] = match prefix {
                    Prefix::Bearer => b"Bearer ",
                    Prefix::LowerBearer => b"bearer ",
                    Prefix::AccessCookie => b"access_token=",
                    Prefix::RefreshCookie => b"refresh_token=",
                    Prefix::Other(other) => other,
                };
                [prefix, before, token.as_bytes(), after].concat()
            }
        }
    }
}

impl Site {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::App => APP.as_bytes().to_vec(),
            Self::AppPage(path) => [APP.as_bytes(), path].concat(),
            Self::Null => b"null".to_vec(),
            Self::Evil => b"https://app.example.com.evil.example".to_vec(),
            Self::Raw(raw) => raw.clone(),
        }
    }
}

impl FetchSite {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::CrossSite => b"cross-site".to_vec(),
            Self::SameSite => b"same-site".to_vec(),
            Self::SameOrigin => b"same-origin".to_vec(),
            Self::Raw(raw) => raw.clone(),
        }
    }
}

/// `(method, path, state-changing)`.
fn route(input: &Input) -> (Method, String, bool) {
    match input.route % 6 {
        0 => (Method::GET, "/api/v1/me".into(), false),
        1 => (Method::GET, "/api/v1/auth/sessions".into(), false),
        2 => (Method::PATCH, "/api/v1/me".into(), true),
        3 => (
            Method::DELETE,
            format!(
                "/api/v1/auth/sessions/{}",
                uuid::Uuid::from_u128(input.session)
            ),
            true,
        ),
        4 => (Method::GET, "/api/v1/users".into(), false),
        _ => (Method::POST, "/api/v1/auth/refresh".into(), true),
    }
}

fn with_token(bytes: &[u8], token: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + token.len());
    let mut rest = bytes;
    while let Some(at) = rest.windows(MARKER.len()).position(|w| w == MARKER) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(token.as_bytes());
        rest = &rest[at + MARKER.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// The header value a request really carries (`None` when the bytes are no header).
fn header(bytes: Option<&[u8]>) -> Option<HeaderValue> {
    bytes.and_then(|b| HeaderValue::from_bytes(b).ok())
}

/// What the CSRF check reads: `HeaderValue::to_str`, or a value that never matches.
fn text(value: &HeaderValue) -> &str {
    value.to_str().unwrap_or("\u{0}")
}

fn contains_token(value: Option<&HeaderValue>, token: &str) -> bool {
    value.is_some_and(|v| {
        v.as_bytes()
            .windows(token.len())
            .any(|w| w == token.as_bytes())
    })
}

fuzz_target!(|input: Input| {
    WORLD.with(|world| {
        let (method, path, state_changing) = route(&input);
        let authorization = header(
            input
                .authorization
                .as_ref()
                .map(|c| c.bytes(&world.token))
                .as_deref(),
        );
        let cookie = header(
            input
                .cookie
                .as_ref()
                .map(|c| c.bytes(&world.token))
                .as_deref(),
        );
        let origins: Vec<HeaderValue> = input
            .origin
            .iter()
            .take(2)
            .filter_map(|o| header(Some(&o.bytes())))
            .collect();
        let referer = header(input.referer.as_ref().map(Site::bytes).as_deref());
        let fetch_site = header(input.fetch_site.as_ref().map(FetchSite::bytes).as_deref());

        let mut req = TestRequest::default()
            .method(method.clone())
            .uri(&path)
            .peer_addr("192.0.2.9:1234".parse().expect("address"));
        if state_changing && method == Method::PATCH {
            req = req.set_json(serde_json::json!({"name": "Fuzz"}));
        }
        for (name, value) in [
            ("authorization", &authorization),
            ("cookie", &cookie),
            ("referer", &referer),
            ("sec-fetch-site", &fetch_site),
        ] {
            if let Some(v) = value {
                req = req.insert_header((name, v.clone()));
            }
        }
        for o in &origins {
            req = req.append_header(("origin", o.clone()));
        }
        let (status, content_type, body) = world.system.block_on((world.call)(req.to_request()));

        assert!(!status.is_server_error(), "{status} for {input:?}");
        if status.is_client_error() {
            assert_eq!(content_type, b"application/problem+json", "{status}");
            let problem: serde_json::Value =
                serde_json::from_slice(&body).expect("a JSON problem body");
            assert!(problem["code"].is_string(), "{problem}");
        }
        if !status.is_success() || path.ends_with("/refresh") {
            return;
        }
        // Success on an authenticated route: the token was there, and in the header
        // when a header was sent.
        let in_header = contains_token(authorization.as_ref(), &world.token);
        let in_cookie = contains_token(cookie.as_ref(), &world.token);
        assert!(
            in_header || in_cookie,
            "{status} without the token: {input:?}"
        );
        if authorization.is_some() {
            assert!(
                in_header,
                "the cookie authenticated a request with an Authorization header"
            );
        } else if state_changing {
            let cross_site = fetch_site
                .as_ref()
                .is_some_and(|v| text(v).eq_ignore_ascii_case("cross-site"));
            assert!(!cross_site, "a cross-site cookie request changed state");
            let claimed = origins.first().or(referer.as_ref());
            let allowed = claimed.is_none_or(|v| normalize_origin(text(v)).as_deref() == Some(APP));
            assert!(allowed, "a cookie request from {claimed:?} changed state");
        }
    });
});

/// Drops every notice.
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
