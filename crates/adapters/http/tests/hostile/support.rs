//! The application on in-memory stores with budgets too large to interfere, an admin
//! to act as, and the rule every error answer must follow.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use portcullis_core::{AuthPolicy, AuthService, Deps, LoginIdentifier};
use portcullis_crypto::{
    BcryptHasher, ChaChaSealer, JwtCodec, JwtConfig, JwtKey, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_domain::{ClientInfo, DisplayName, Email, PlainPassword};
use portcullis_http::{AppState, HttpSettings, MetricsEndpoint, RateLimits};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryMfaRepository, MemoryOneTimeTokens,
    MemoryRateLimiter, MemoryRefreshTokenStore, MemorySessionRepository, MemoryUserRepository,
};
use serde_json::{Value, json};

/// A password that passes the policy.
pub const PASSWORD: &str = "correct horse battery staple";
/// The one allowed origin.
pub const APP: &str = "https://app.example.com";
/// `METRICS_TOKEN`.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// Local mode, one allowed origin, budgets no test reaches.
pub fn settings() -> HttpSettings {
    HttpSettings {
        allowed_origins: vec![APP.to_owned()],
        rate_limits: RateLimits {
            auth: 1_000_000,
            refresh: 1_000_000,
            sessions: 1_000_000,
            users: 1_000_000,
            fail_open: false,
        },
        ..HttpSettings::default()
    }
}

/// The use cases on fresh in-memory stores, with bcrypt at its lowest cost.
pub fn state(settings: HttpSettings) -> web::Data<AppState> {
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
        limiter: Arc::new(MemoryRateLimiter::new()),
        one_time_tokens: Arc::new(MemoryOneTimeTokens::new()),
        notifier: Arc::new(NullNotifier),
        mfa: Arc::new(MemoryMfaRepository::new()),
        sealer: Arc::new(ChaChaSealer::new([9; 32])),
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
        metrics: Some(MetricsEndpoint {
            render: Arc::new(String::new),
            token: Some(METRICS_TOKEN.to_owned()),
        }),
    })
}

/// Builds the service for one test.
macro_rules! app {
    ($state:expr) => {
        actix_web::test::init_service(portcullis_http::app($state)).await
    };
}
pub(crate) use app;

/// Who the authenticated cases act as: an admin (the widest surface), recreated under
/// a new address whenever a case has deleted it or changed its password or email.
#[derive(Debug, Default)]
pub struct Actor {
    pub email: String,
    pub user_id: String,
    pub token: String,
    generation: u32,
}

impl Actor {
    /// Creates the first admin and signs it in.
    pub async fn new(state: &AppState) -> Self {
        let mut actor = Self {
            email: String::new(),
            user_id: String::new(),
            token: String::new(),
            generation: 0,
        };
        actor.recreate(state).await;
        actor
    }

    /// A valid access token: the current one while it still authenticates, else a
    /// new session, else a new admin.
    pub async fn fresh_token(&mut self, state: &AppState) -> String {
        if state.service.authenticate(&self.token).await.is_ok() {
            return self.token.clone();
        }
        if !self.sign_in(state).await {
            self.recreate(state).await;
        }
        self.token.clone()
    }

    async fn recreate(&mut self, state: &AppState) {
        self.generation += 1;
        self.email = format!("admin{}@example.com", self.generation);
        state
            .service
            .bootstrap_admin(
                Email::parse(&self.email).unwrap(),
                DisplayName::parse("Admin").unwrap(),
                PlainPassword::new_unchecked(PASSWORD.to_owned()),
            )
            .await
            .unwrap();
        assert!(self.sign_in(state).await, "a new admin signs in");
    }

    async fn sign_in(&mut self, state: &AppState) -> bool {
        let issued = state
            .service
            .login(
                LoginIdentifier::Email(Email::parse(&self.email).unwrap()),
                PlainPassword::new_unchecked(PASSWORD.to_owned()),
                &ClientInfo::new(Some("192.0.2.1".parse().unwrap()), Some("actor")),
            )
            .await;
        match issued {
            Ok(issued) => {
                self.token = issued.access_token.expose().to_owned();
                self.user_id = issued.user.id.to_string();
                true
            }
            Err(_) => false,
        }
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// Reads a response.
    pub async fn read<B: MessageBody>(res: ServiceResponse<B>) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await.to_vec();
        Self {
            status,
            headers,
            body,
        }
    }

    /// A header as text (`<missing>` when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("<missing>", |v| v.to_str().unwrap_or("<not text>"))
    }

    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The problem `code` (empty when there is none).
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    /// SPEC §4: never a 5xx for client input, and every 4xx is problem+json whose
    /// `status` matches and which carries a stable `code`. `Err` says what is wrong.
    pub fn check_contract(&self) -> Result<(), String> {
        let text = || {
            String::from_utf8_lossy(&self.body)
                .chars()
                .take(300)
                .collect::<String>()
        };
        if self.status.is_server_error() {
            return Err(format!("{} for client input: {}", self.status, text()));
        }
        if self.status.is_client_error() {
            if self.header("content-type") != "application/problem+json" {
                return Err(format!(
                    "{} with content-type {}: {}",
                    self.status,
                    self.header("content-type"),
                    text()
                ));
            }
            let body = self.json();
            if body["code"].as_str().is_none_or(str::is_empty) {
                return Err(format!("{} without a code: {}", self.status, text()));
            }
            if body["status"] != self.status.as_u16() {
                return Err(format!(
                    "{} whose body says otherwise: {}",
                    self.status,
                    text()
                ));
            }
        }
        Ok(())
    }
}

/// Sends one request (from a fixed client address) and reads the whole answer.
macro_rules! call {
    ($app:expr, $req:expr) => {
        $crate::support::Answer::read(
            actix_web::test::call_service(
                &$app,
                $req.peer_addr("198.51.100.1:4000".parse().unwrap())
                    .to_request(),
            )
            .await,
        )
        .await
    };
}
pub(crate) use call;

/// `POST /auth/register` in body mode.
pub fn register(email: &str, password: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/register")
        .set_json(json!({
            "email": email,
            "password": password,
            "name": "Ada",
            "token_delivery": "body",
        }))
}

/// `POST /auth/login` in body mode.
pub fn login(email: &str, password: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/login")
        .set_json(json!({
            "email": email,
            "password": password,
            "token_delivery": "body",
        }))
}

/// A JSON body sent as is.
pub fn raw_json(method: Method, uri: &str, body: impl Into<Vec<u8>>) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(uri)
        .insert_header(("content-type", "application/json"))
        .set_payload(body.into())
}

/// Registers `email` (body mode) and returns its access token and user id.
macro_rules! signed_up {
    ($app:expr, $email:expr) => {{
        let answer = $crate::support::call!(
            $app,
            $crate::support::register($email, $crate::support::PASSWORD)
        );
        assert_eq!(
            answer.status,
            actix_web::http::StatusCode::CREATED,
            "{answer:?}"
        );
        let body = answer.json();
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["user"]["id"].as_str().unwrap().to_owned(),
        )
    }};
}
pub(crate) use signed_up;

/// Drops every notice (these tests read no mail).
pub struct NullNotifier;

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
