//! A core wired to the in-memory adapters, a manual clock, a fast fake hasher and a
//! fake token codec: stateful flows in microseconds, no I/O.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use portcullis_core::{AuthPolicy, AuthService, Deps, IssuedSession, Principal, Registration};
use portcullis_domain::ports::{
    AccessTokenCodec, HashError, InvalidAccessToken, PasswordCheck, PasswordHasher,
};
use portcullis_domain::{
    AccessClaims, AccessToken, ClientInfo, DisplayName, Email, PasswordHash, PlainPassword, Role,
    SessionId, Timestamp, UserId,
};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryRefreshTokenStore,
    MemorySessionRepository, MemoryUserRepository,
};
use portcullis_testkit::{CounterRandom, ManualClock, SequentialIds};

pub const PASSWORD: &str = "correct horse battery staple";

/// `fake$<cost>$<password>`: not a hash, but it has a cost and takes no time.
#[derive(Default)]
pub struct FakeHasher {
    pub cost: u32,
    pub verifies: AtomicUsize,
    pub hashes: AtomicUsize,
}

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, HashError> {
        self.hashes.fetch_add(1, Ordering::SeqCst);
        Ok(PasswordHash::new(format!(
            "fake${}${}",
            self.cost,
            password.expose()
        )))
    }

    async fn verify<'a>(
        &self,
        password: &PlainPassword,
        hash: Option<&'a PasswordHash>,
    ) -> Result<PasswordCheck, HashError> {
        self.verifies.fetch_add(1, Ordering::SeqCst);
        let Some((cost, stored)) =
            hash.and_then(|h| h.as_str().strip_prefix("fake$")?.split_once('$'))
        else {
            return Ok(PasswordCheck {
                matches: false,
                needs_rehash: false,
            });
        };
        let matches = stored == password.expose();
        let cost: u32 = cost.parse().unwrap_or(0);
        Ok(PasswordCheck {
            matches,
            needs_rehash: matches && cost < self.cost,
        })
    }
}

/// `user|session|role|exp-seconds`: verifies expiry against the injected `now`.
pub struct FakeCodec;

impl AccessTokenCodec for FakeCodec {
    fn sign(&self, c: &AccessClaims) -> Result<AccessToken, anyhow::Error> {
        Ok(AccessToken::new(format!(
            "{}|{}|{}|{}|{}",
            c.user_id,
            c.session_id,
            c.role.as_str(),
            c.expires_at.timestamp(),
            c.token_id
        )))
    }

    fn verify(&self, token: &str, now: Timestamp) -> Result<AccessClaims, InvalidAccessToken> {
        let parts: Vec<&str> = token.split('|').collect();
        let [user, session, role, exp, jti] = parts.as_slice() else {
            return Err(InvalidAccessToken);
        };
        let exp: i64 = exp.parse().map_err(|_| InvalidAccessToken)?;
        if exp <= now.timestamp() {
            return Err(InvalidAccessToken);
        }
        Ok(AccessClaims {
            user_id: UserId::parse(user).ok_or(InvalidAccessToken)?,
            session_id: SessionId::parse(session).ok_or(InvalidAccessToken)?,
            role: Role::parse(role).map_err(|_| InvalidAccessToken)?,
            issued_at: now,
            expires_at: Timestamp::from_timestamp(exp, 0).ok_or(InvalidAccessToken)?,
            token_id: uuid::Uuid::try_parse(jti).map_err(|_| InvalidAccessToken)?,
        })
    }

    fn jwks_json(&self) -> String {
        r#"{"keys":[]}"#.to_owned()
    }
}

/// Not encryption: reverses the bytes and tags them, so tests can tell sealed data.
pub struct FakeSealer;

impl portcullis_domain::ports::SecretSealer for FakeSealer {
    fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        Ok([
            b"sealed:".as_slice(),
            &plain.iter().rev().copied().collect::<Vec<_>>(),
        ]
        .concat())
    }

    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, anyhow::Error> {
        let body = sealed
            .strip_prefix(b"sealed:")
            .ok_or_else(|| anyhow::anyhow!("not sealed"))?;
        Ok(body.iter().rev().copied().collect())
    }
}

/// Keeps every notice, for tests to read the links.
#[derive(Default)]
pub struct RecordingNotifier {
    pub sent: std::sync::Mutex<Vec<(Email, portcullis_domain::Notice)>>,
}

#[async_trait]
impl portcullis_domain::ports::Notifier for RecordingNotifier {
    async fn notify(
        &self,
        to: &Email,
        notice: &portcullis_domain::Notice,
    ) -> Result<(), portcullis_domain::StoreError> {
        self.sent.lock().unwrap().push((to.clone(), notice.clone()));
        Ok(())
    }
}

impl RecordingNotifier {
    /// The token of the last link mailed to `to` whose URL contains `page`.
    pub fn last_token(&self, to: &str, page: &str) -> Option<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter().rev().find_map(|(email, notice)| {
            let link = match notice {
                portcullis_domain::Notice::PasswordReset { link, .. }
                | portcullis_domain::Notice::EmailVerification { link, .. } => link,
                _ => return None,
            };
            (email.as_str() == to && link.contains(page))
                .then(|| link.split("token=").nth(1).unwrap().to_owned())
        })
    }
}

/// The service and handles on its stores.
pub struct World {
    pub service: AuthService,
    pub clock: Arc<ManualClock>,
    pub users: Arc<MemoryUserRepository>,
    pub sessions: Arc<MemorySessionRepository>,
    pub audit: Arc<MemoryAuditLog>,
    pub hasher: Arc<FakeHasher>,
    pub notifier: Arc<RecordingNotifier>,
    pub mfa: Arc<portcullis_memory::MemoryMfaRepository>,
}

impl World {
    pub fn new() -> Self {
        Self::with_policy(AuthPolicy::default())
    }

    pub fn with_policy(policy: AuthPolicy) -> Self {
        let clock = Arc::new(ManualClock::new(portcullis_testkit::t0()));
        let users = Arc::new(MemoryUserRepository::new());
        let sessions = Arc::new(MemorySessionRepository::new());
        let audit = Arc::new(MemoryAuditLog::new());
        let notifier = Arc::new(RecordingNotifier::default());
        let mfa = Arc::new(portcullis_memory::MemoryMfaRepository::new());
        let hasher = Arc::new(FakeHasher {
            cost: 4,
            ..FakeHasher::default()
        });
        let deps = Deps {
            users: users.clone(),
            sessions: sessions.clone(),
            refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
            deny_list: Arc::new(MemoryDenyList::new()),
            lockout: Arc::new(MemoryLockoutStore::new()),
            limiter: Arc::new(portcullis_memory::MemoryRateLimiter::new()),
            one_time_tokens: Arc::new(portcullis_memory::MemoryOneTimeTokens::new()),
            notifier: notifier.clone(),
            mfa: mfa.clone(),
            sealer: Arc::new(FakeSealer),
            hasher: hasher.clone(),
            codec: Arc::new(FakeCodec),
            audit: audit.clone(),
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::new()),
            random: Arc::new(CounterRandom::new()),
        };
        Self {
            service: AuthService::new(deps, policy),
            clock,
            users,
            sessions,
            audit,
            hasher,
            notifier,
            mfa,
        }
    }

    pub async fn users_by_email(&self, email: &str) -> portcullis_domain::UserId {
        use portcullis_domain::ports::UserRepository;
        self.users
            .find_by_email(&Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    }

    pub async fn register(&self, email: &str, client: &ClientInfo) -> IssuedSession {
        match self
            .service
            .register(
                Registration {
                    email: Email::parse(email).unwrap(),
                    password: PlainPassword::new_unchecked(PASSWORD.to_owned()),
                    name: DisplayName::parse("Test User").unwrap(),
                    username: None,
                },
                client,
            )
            .await
            .unwrap()
        {
            portcullis_core::RegisterOutcome::Session(issued) => *issued,
            portcullis_core::RegisterOutcome::VerificationSent => {
                panic!("no session: verification required")
            }
        }
    }

    pub async fn principal(
        &self,
        issued: &IssuedSession,
    ) -> Result<Principal, portcullis_core::AuthError> {
        self.service
            .authenticate(issued.access_token.expose())
            .await
    }

    pub async fn principal_is_ok(&self, p: &Principal) -> bool {
        let sessions = self.service.list_sessions(p).await.unwrap();
        sessions.iter().any(|s| s.session.id == p.session_id)
    }

    pub async fn audit_kinds(&self) -> Vec<&'static str> {
        use portcullis_domain::ports::AuditLog;
        let events = self
            .audit
            .list(&portcullis_domain::AuditFilter {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        events.iter().map(|e| e.kind.as_str()).collect()
    }
}

pub fn device(ua: &str) -> ClientInfo {
    ClientInfo::new(Some([192, 0, 2, 1].into()), Some(ua))
}

pub fn device_at(ua: &str, ip: [u8; 4]) -> ClientInfo {
    ClientInfo::new(Some(ip.into()), Some(ua))
}
