//! Sample values for tests: fixed timestamps, parsed value objects and builders for the
//! entities the ports store.
//!
//! Builders panic on input they cannot parse: they take literals written in tests, so a
//! bad one is a bug in the test.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use anyhow::Context as _;
use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::ports::UserRepository;
use portcullis_domain::{
    AuditEvent, AuditEventType, AuditId, ClientInfo, DeviceBinding, DeviceFingerprint, DisplayName,
    Email, PasswordHash, Role, Session, SessionId, TimeSpan, Timestamp, User, UserId, Username,
};
use uuid::Uuid;

/// 2026-01-01T00:00:00Z: the start of time in every suite. Whole seconds, so it
/// round-trips through every database.
pub fn t0() -> Timestamp {
    Timestamp::UNIX_EPOCH + secs(1_767_225_600)
}

/// A span of whole seconds.
pub fn secs(n: i64) -> TimeSpan {
    TimeSpan::seconds(n)
}

/// Parses an email literal.
///
/// # Panics
/// When `raw` is not a valid address.
#[track_caller]
pub fn email(raw: &str) -> Email {
    match Email::parse(raw) {
        Ok(email) => email,
        Err(err) => panic!("testkit: {raw:?} is not a valid email: {err}"),
    }
}

/// Parses a username literal.
///
/// # Panics
/// When `raw` is not a valid username.
#[track_caller]
pub fn username(raw: &str) -> Username {
    match Username::parse(raw) {
        Ok(username) => username,
        Err(err) => panic!("testkit: {raw:?} is not a valid username: {err}"),
    }
}

/// A plain account with this email: a fresh UUID v7 id, no username, role `user`,
/// unverified, no MFA, a (fake) bcrypt hash, created and updated at [`t0`].
///
/// # Panics
/// When `raw_email` is not a valid address.
#[track_caller]
pub fn sample_user(raw_email: &str) -> User {
    let name = match DisplayName::parse("Sample User") {
        Ok(name) => name,
        Err(err) => panic!("testkit: sample display name refused: {err}"),
    };
    User {
        id: UserId::from_uuid(Uuid::now_v7()),
        email: email(raw_email),
        username: None,
        name,
        role: Role::User,
        email_verified: false,
        mfa_enabled: false,
        password_hash: Some(PasswordHash::new(
            "$2b$04$testkitsaltsaltsaltsaOtestkithashhashhashhashhashha".to_owned(),
        )),
        created_at: t0(),
        updated_at: t0(),
    }
}

/// The client every sample session starts from (a browser at a documentation address).
pub fn sample_client() -> ClientInfo {
    ClientInfo::new(
        Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
        Some("Mozilla/5.0 (portcullis-testkit)"),
    )
}

/// An active session of `user_id` started at `now`: a fresh UUID v7 id, last used at
/// `now`, expiring 30 days later, with the User-Agent fingerprint of [`sample_client`].
pub fn sample_session(user_id: UserId, now: Timestamp) -> Session {
    let client = sample_client();
    Session {
        id: SessionId::from_uuid(Uuid::now_v7()),
        user_id,
        created_at: now,
        last_used_at: now,
        expires_at: now + TimeSpan::days(30),
        revoked_at: None,
        revoked_reason: None,
        fingerprint: DeviceFingerprint::of(DeviceBinding::Ua, &client),
        user_agent: client.user_agent,
        ip: client.ip,
    }
}

/// An audit event of `kind` about `user_id` at `at`, with a fresh UUID v7 id, the sample
/// client and empty details.
pub fn sample_event(kind: AuditEventType, user_id: Option<UserId>, at: Timestamp) -> AuditEvent {
    let client = sample_client();
    AuditEvent {
        id: AuditId(Uuid::now_v7()),
        kind,
        at,
        user_id,
        actor_id: None,
        ip: client.ip,
        user_agent: client.user_agent,
        details: "{}".to_owned(),
    }
}

/// A link from `provider`/`subject` to `user_id`, created at `now`.
pub fn sample_identity(
    provider: ProviderName,
    subject: &str,
    user_id: UserId,
    now: Timestamp,
) -> OAuthIdentity {
    OAuthIdentity {
        provider,
        subject: subject.to_owned(),
        user_id,
        email: None,
        created_at: now,
    }
}

/// A pending (unconfirmed) TOTP enrolment of `user_id` with a fake encrypted secret.
pub fn sample_enrollment(user_id: UserId, secret_seed: u8) -> TotpEnrollment {
    TotpEnrollment {
        user_id,
        encrypted_secret: vec![secret_seed; 48],
        confirmed_at: None,
        last_used_step: None,
        recovery_code_hashes: Vec::new(),
    }
}

/// A store whose rows belong to accounts, with the user repository of the same backend,
/// so a suite can create the owners first (adapters with foreign keys need them).
/// Memory adapters pair the store with any fresh `MemoryUserRepository`.
pub struct WithUsers<P: ?Sized> {
    /// The store under test.
    pub store: Arc<P>,
    /// Accounts of the same backend.
    pub users: Arc<dyn UserRepository>,
}

impl<P: ?Sized> WithUsers<P> {
    /// Pairs a store with the user repository of its backend.
    pub fn new(store: Arc<P>, users: Arc<dyn UserRepository>) -> Self {
        Self { store, users }
    }

    /// Stores [`sample_user`] with this email and returns its id.
    ///
    /// # Errors
    /// When the user repository refuses the account.
    pub async fn seed_user(&self, raw_email: &str) -> anyhow::Result<UserId> {
        let user = sample_user(raw_email);
        self.users
            .insert(&user)
            .await
            .with_context(|| format!("seeding the owner {raw_email}"))?;
        Ok(user.id)
    }
}
