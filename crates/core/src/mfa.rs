//! TOTP second factor (RFC 6238): enrolment with the password, confirmation with a
//! first code (which activates it and issues recovery codes), removal with a code, and
//! the second step of a login.
//!
//! Seeds are sealed at rest (`SecretSealer`). A code is accepted once (the store keeps
//! the last used time step), ±1 step of drift; wrong codes count toward the login
//! lock-out like wrong passwords. The `mfa_token` of a login is a single-use secret,
//! stored hashed together with the device fingerprint, so it works only from the
//! device that passed the password step, for 5 minutes.

use portcullis_domain::mfa::TotpEnrollment;
use portcullis_domain::ports::{OneTimeToken, TokenPurpose};
use portcullis_domain::{
    AuditEventType, ClientInfo, DeviceFingerprint, OneTimeSecret, PlainPassword, TimeSpan, User,
};
use totp_rs::{Algorithm, Builder, Totp};

use crate::authenticate::Principal;
use crate::error::{Failure, failure_conversions};
use crate::service::{AuthService, IssuedSession};

/// Lifetime of an `mfa_token`.
pub const MFA_TOKEN_TTL: TimeSpan = TimeSpan::minutes(5);
const RECOVERY_CODES: usize = 10;
const STEP_SECONDS: u64 = 30;

/// A new enrolment: what the authenticator app needs.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    /// The shared secret, base32.
    pub secret: String,
    /// `otpauth://totp/...` for a QR code.
    pub otpauth_uri: String,
}

/// Why an MFA operation failed.
#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    /// The password given to enrol is wrong.
    #[error("invalid current password")]
    InvalidCurrentPassword,
    /// The code (or recovery code) is wrong, reused or there is nothing to check it
    /// against.
    #[error("invalid mfa code")]
    InvalidCode,
    /// The `mfa_token` is unknown, used, expired or from another device.
    #[error("invalid mfa token")]
    InvalidMfaToken,
    /// A second factor is already active.
    #[error("mfa already enabled")]
    AlreadyEnabled,
    /// The identifier is locked after too many failures.
    #[error("locked")]
    Locked {
        /// Time until the lock ends.
        retry_after: TimeSpan,
    },
    /// A dependency failed.
    #[error(transparent)]
    Failure(Failure),
}
failure_conversions!(MfaError);

fn totp(seed: Vec<u8>, account: &str) -> Result<Totp, Failure> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(seed)
        .with_issuer(Some("Portcullis"))
        .with_account_name(account.replace(':', "_"))
        .build()
        .map_err(|e| Failure::Internal(anyhow::anyhow!("totp: {e:?}")))
}

fn sha256(text: &str) -> [u8; 32] {
    OneTimeSecret::presented(text).hash()
}

impl AuthService {
    /// Starts an enrolment (nothing is active until confirmed).
    ///
    /// # Errors
    /// [`MfaError::InvalidCurrentPassword`], [`MfaError::AlreadyEnabled`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn enroll_totp(
        &self,
        principal: &Principal,
        password: PlainPassword,
    ) -> Result<TotpSetup, MfaError> {
        let user = self
            .me(principal)
            .await
            .map_err(|_| MfaError::InvalidCurrentPassword)?;
        self.check_password(Some(&user), &password)
            .await?
            .ok_or(MfaError::InvalidCurrentPassword)?;
        let seed = self.deps.random.bytes32().map_err(Failure::Internal)?[..20].to_vec();
        let totp = totp(seed.clone(), user.email.as_str())?;
        let enrollment = TotpEnrollment {
            user_id: user.id,
            encrypted_secret: self
                .deps
                .sealer
                .seal(&seed)
                .map_err(|e| Failure::Store(portcullis_domain::StoreError::unavailable(e)))?,
            confirmed_at: None,
            last_used_step: None,
            recovery_code_hashes: Vec::new(),
        };
        if !self.deps.mfa.save_pending(&enrollment).await? {
            return Err(MfaError::AlreadyEnabled);
        }
        let otpauth_uri = totp
            .to_url()
            .map_err(|e| Failure::Internal(anyhow::anyhow!("otpauth: {e:?}")))?;
        Ok(TotpSetup {
            secret: totp.secret().to_base32(),
            otpauth_uri,
        })
    }

    /// Confirms an enrolment with a first code: activates it and returns the
    /// single-use recovery codes (shown once; stored hashed).
    ///
    /// # Errors
    /// [`MfaError::InvalidCode`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn confirm_totp(
        &self,
        principal: &Principal,
        code: &str,
        client: &ClientInfo,
    ) -> Result<Vec<String>, MfaError> {
        let mut user = self
            .me(principal)
            .await
            .map_err(|_| MfaError::InvalidCode)?;
        let enrollment = self
            .deps
            .mfa
            .find(user.id)
            .await?
            .ok_or(MfaError::InvalidCode)?;
        if enrollment.confirmed_at.is_some() {
            return Err(MfaError::AlreadyEnabled);
        }
        let step = self
            .matching_step(&enrollment, &user, code)?
            .ok_or(MfaError::InvalidCode)?;
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let bytes = self.deps.random.bytes32().map_err(Failure::Internal)?;
            let text: String = bytes[..10].iter().map(|b| format!("{b:02x}")).collect();
            codes.push(format!("{}-{}", &text[..10], &text[10..]));
        }
        let hashes: Vec<[u8; 32]> = codes.iter().map(|c| sha256(c)).collect();
        let now = self.deps.clock.now();
        if !self.deps.mfa.confirm(user.id, step, &hashes, now).await? {
            return Err(MfaError::InvalidCode);
        }
        user.mfa_enabled = true;
        user.updated_at = now;
        self.deps
            .users
            .update(&user)
            .await
            .map_err(|_| MfaError::InvalidCode)?;
        self.audit(
            AuditEventType::MfaEnabled,
            Some(user.id),
            None,
            client,
            "{}".to_owned(),
        )
        .await;
        Ok(codes)
    }

    /// Removes the second factor; needs a current code or a recovery code.
    ///
    /// # Errors
    /// [`MfaError::InvalidCode`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn disable_totp(
        &self,
        principal: &Principal,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(), MfaError> {
        let mut user = self
            .me(principal)
            .await
            .map_err(|_| MfaError::InvalidCode)?;
        if !self.second_factor_ok(&user, code).await? {
            return Err(MfaError::InvalidCode);
        }
        self.deps.mfa.delete(user.id).await?;
        user.mfa_enabled = false;
        user.updated_at = self.deps.clock.now();
        self.deps
            .users
            .update(&user)
            .await
            .map_err(|_| MfaError::InvalidCode)?;
        self.audit(
            AuditEventType::MfaDisabled,
            Some(user.id),
            None,
            client,
            "{}".to_owned(),
        )
        .await;
        Ok(())
    }

    /// After a correct password for an account with TOTP: a single-use token for the
    /// second step, bound to this device.
    pub(crate) async fn issue_mfa_token(
        &self,
        user: &User,
        client: &ClientInfo,
    ) -> Result<String, Failure> {
        let secret = OneTimeSecret::new(self.deps.random.bytes32().map_err(Failure::Internal)?);
        let token = OneTimeToken {
            hash: self.bound_hash(secret.expose(), client),
            purpose: TokenPurpose::MfaLogin,
            user_id: user.id,
            expires_at: self.deps.clock.now() + MFA_TOKEN_TTL,
        };
        self.deps.one_time_tokens.replace(&token).await?;
        Ok(secret.expose().to_owned())
    }

    /// `POST /auth/mfa`: finishes a login with the `mfa_token` and a code (or a
    /// recovery code).
    ///
    /// # Errors
    /// [`MfaError::InvalidMfaToken`], [`MfaError::InvalidCode`], [`MfaError::Locked`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn complete_mfa(
        &self,
        mfa_token: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<IssuedSession, MfaError> {
        let now = self.deps.clock.now();
        let user_id = self
            .deps
            .one_time_tokens
            .consume(
                self.bound_hash(mfa_token, client),
                TokenPurpose::MfaLogin,
                now,
            )
            .await?
            .ok_or(MfaError::InvalidMfaToken)?;
        let user = self
            .deps
            .users
            .find_by_id(user_id)
            .await?
            .ok_or(MfaError::InvalidMfaToken)?;
        let key = format!("email:{}", user.email);
        if let Some(until) = self.deps.lockout.locked_until(&key, now).await? {
            return Err(MfaError::Locked {
                retry_after: until - now,
            });
        }
        if !self.second_factor_ok(&user, code).await? {
            self.audit(
                AuditEventType::LoginFailed,
                Some(user.id),
                None,
                client,
                r#"{"factor":"totp"}"#.to_owned(),
            )
            .await;
            self.deps
                .lockout
                .record_failure(&key, self.policy.lockout, now)
                .await?;
            return Err(MfaError::InvalidCode);
        }
        self.deps.lockout.clear(&key).await?;
        let issued = self.start_session(user, client).await?;
        self.audit(
            AuditEventType::LoginSucceeded,
            Some(issued.user.id),
            None,
            client,
            format!(
                r#"{{"session_id":"{}","factor":"totp"}}"#,
                issued.session_id
            ),
        )
        .await;
        Ok(issued)
    }

    /// A current TOTP code (accepted once) or an unused recovery code.
    async fn second_factor_ok(&self, user: &User, code: &str) -> Result<bool, Failure> {
        let Some(enrollment) = self
            .deps
            .mfa
            .find(user.id)
            .await?
            .filter(|e| e.confirmed_at.is_some())
        else {
            return Ok(false);
        };
        let code = code.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(match self.matching_step(&enrollment, user, code)? {
                Some(step) => self.deps.mfa.use_step(user.id, step).await?,
                None => false,
            });
        }
        Ok(self
            .deps
            .mfa
            .consume_recovery_code(user.id, sha256(&code.to_ascii_lowercase()))
            .await?)
    }

    /// The time step a code matches (±1 step), if any.
    fn matching_step(
        &self,
        enrollment: &TotpEnrollment,
        user: &User,
        code: &str,
    ) -> Result<Option<u64>, Failure> {
        let seed = self
            .deps
            .sealer
            .open(&enrollment.encrypted_secret)
            .map_err(Failure::Internal)?;
        let totp = totp(seed, user.email.as_str())?;
        let now = u64::try_from(self.deps.clock.now().timestamp()).unwrap_or(0);
        Ok(totp.check(code.trim(), now))
    }

    fn bound_hash(&self, mfa_token: &str, client: &ClientInfo) -> [u8; 32] {
        let device = DeviceFingerprint::of(self.policy.device_binding, client);
        sha256(&format!("{mfa_token}|{}", device.to_hex()))
    }
}
