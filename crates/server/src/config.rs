//! The typed configuration of the `portcullis` binary (SPEC §6 and §7).
//!
//! [`Config::from_lookup`] reads the variables below through a lookup function (the
//! binary passes `|k| std::env::var(k).ok()` after loading `.env`). Values are trimmed
//! and an empty value counts as unset. Durations are humantime (`3s`, `15m`, `168h`,
//! `1h 30m`, `0s`) or a bare number of seconds, at most 100 years. Booleans are
//! `true`/`false`/`1`/`0`/`yes`/`no`, any case; so are the enumerated words. Lists are
//! comma-separated. A bad value is a [`ConfigError`] naming the variable, on one line.
//! `.env.example` lists the same variables (a test keeps both in step with [`VARIABLES`]).
//!
//! Server:
//! - `APP_ENV`: `local` | `production` (default `local`). Production requires
//!   `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET` and `PUBLIC_URL`.
//! - `HOST`: bind IP address (default `0.0.0.0`).
//! - `PORT`: bind port (default `8080`; `0` lets the OS choose).
//! - `PUBLIC_URL`: the application's public URL, an absolute http(s) URL with no path
//!   (default `http://localhost:{PORT}` in local; required in production).
//! - `DATA_DIR`: the embedded store and the generated local JWT secret (default `./data`).
//! - `SHUTDOWN_TIMEOUT`: grace for in-flight requests on SIGINT/SIGTERM (default `30s`).
//!
//! Logs and telemetry:
//! - `LOG_LEVEL`: `level` or `target=level` directives (default `info`).
//! - `LOG_FORMAT`: `json` | `pretty` (default `pretty` in local, `json` in production).
//! - `OTEL_EXPORTER_OTLP_ENDPOINT`: OTLP endpoint for traces (default: none, unused yet).
//! - `METRICS_TOKEN`: Bearer token `/metrics` requires (default: none, open).
//! - `METRICS_ADDR`: IP address and port of a separate listener for `/metrics`, e.g.
//!   `127.0.0.1:9100`; when set, the main port answers 404 there (default: none,
//!   `/metrics` on the main port). It must differ from `HOST`:`PORT`.
//!
//! Storage:
//! - `DATABASE_URL`: `postgres://…`, or `sqlite://path` for the embedded store (default:
//!   SQLite at `DATA_DIR/portcullis.db`); production requires Postgres.
//! - `REDIS_URL`: `redis://…` or `rediss://…` (default: none, in-process stores).
//! - `REDIS_PREFIX`: prefix of every Redis key, so several deployments (or test runs)
//!   can share one Redis (default `portcullis:`).
//! - `AUTO_MIGRATE`: run migrations on `serve` (default `true` in local, `false` in
//!   production).
//!
//! Access tokens:
//! - `JWT_SECRET`: HS256 key, at least 32 bytes (default: none; generated in local,
//!   required in production).
//! - `JWT_ALGORITHM`: `HS256` | `EdDSA` | `ES256` (default `HS256`).
//! - `JWT_PRIVATE_KEY`: PKCS#8 PEM path of the EdDSA/ES256 signing key (required with them).
//! - `JWT_VERIFY_KEYS`: comma-separated SPKI PEM paths of previous public keys that still
//!   verify during a rotation (default: none).
//! - `JWT_LEEWAY`: clock skew tolerated on verification (default `30s`).
//! - `JWT_ISSUER`: `iss` claim (default `PUBLIC_URL` when set, else `portcullis`).
//! - `JWT_AUDIENCE`: `aud` claim (default `portcullis`).
//!
//! Sessions and refresh tokens:
//! - `ACCESS_TOKEN_TTL` (default `15m`), `REFRESH_TOKEN_TTL` (sliding, default `168h`),
//!   `SESSION_ABSOLUTE_TTL` (default `720h`): all longer than zero.
//! - `REFRESH_REUSE_GRACE`: concurrent-refresh window (default `3s`; `0s` disables it).
//! - `MAX_ACTIVE_REFRESH_TOKENS_PER_USER`: sessions per user, at least 1 (default `10`).
//! - `DEVICE_BINDING`: `ua` | `strict` | `off` (default `ua`).
//! - `EXPIRED_TOKEN_RETENTION_DAYS` (default `30`), `REVOKED_TOKEN_RETENTION_DAYS`
//!   (default `90`): how long the cleanup job keeps dead rows, 0 to 36500.
//! - `AUDIT_RETENTION_DAYS`: how long the cleanup job keeps audit events, 0 to 36500
//!   (default `365`; `0` keeps them forever).
//!
//! Accounts and passwords:
//! - `BCRYPT_COST`: 4 to 31 (default `12`).
//! - `BCRYPT_MAX_IN_FLIGHT`: hashes running at once, at least 1 (default: the CPU count).
//! - `REQUIRE_EMAIL_VERIFICATION`: (default `false`).
//! - `RESET_TOKEN_TTL`: password-reset link lifetime (default `1h`).
//!
//! Browsers:
//! - `COOKIE_SAMESITE`: `lax` | `strict` (default `lax`).
//! - `CORS_ALLOWED_ORIGINS`: origins allowed with credentials; `*` is refused (default:
//!   none).
//! - `TRUSTED_PROXIES`: CIDRs or IPs whose `X-Forwarded-For` is believed (default: none).
//!
//! Rate limits and lock-out:
//! - `RATE_LIMIT_AUTH_PER_MINUTE` (default `5`), `RATE_LIMIT_REFRESH_PER_MINUTE` (`10`),
//!   `RATE_LIMIT_SESSIONS_PER_MINUTE` (`60`), `RATE_LIMIT_USERS_PER_MINUTE` (`100`): at
//!   least 1.
//! - `RATE_LIMIT_FAIL_OPEN`: let requests through when the store is down (default
//!   `false`: 503).
//! - `LOGIN_LOCKOUT_THRESHOLD` (default `10`, at least 1), `LOGIN_LOCKOUT_WINDOW`
//!   (default `15m`), `LOGIN_LOCKOUT_DURATION` (default `15m`).
//!
//! Mail:
//! - `SMTP_URL`: `smtp://…` or `smtps://…` (default: none).
//! - `MAIL_FROM`: sender mailbox (default `Portcullis <no-reply@localhost>`).
//! - `MAIL_TEMPLATE_DIR`: `<name>.subject`, `<name>.txt`, `<name>.html` here replace the
//!   built-in templates (default: none).
//!
//! Social login (a provider is on when both its client id and secret are set):
//! - `OAUTH_GOOGLE_CLIENT_ID`, `OAUTH_GOOGLE_CLIENT_SECRET` (default: none).
//! - `OAUTH_GOOGLE_AUTH_URL`, `OAUTH_GOOGLE_TOKEN_URL`, `OAUTH_GOOGLE_USERINFO_URL`:
//!   endpoint overrides (default: Google's).
//! - `OAUTH_GITHUB_CLIENT_ID`, `OAUTH_GITHUB_CLIENT_SECRET` (default: none).
//! - `OAUTH_GITHUB_AUTH_URL`, `OAUTH_GITHUB_TOKEN_URL`, `OAUTH_GITHUB_USERINFO_URL`,
//!   `OAUTH_GITHUB_EMAILS_URL`: endpoint overrides, e.g. for GitHub Enterprise (default:
//!   github.com's).
//! - `OAUTH_REDIRECT_ALLOWLIST`: origins a `redirect_to` may target (default: the origin
//!   of `PUBLIC_URL`).
//!
//! Admin bootstrap:
//! - `ADMIN_EMAIL`, `ADMIN_PASSWORD`: when both are set, `serve` creates this admin
//!   (or promotes the account) at start-up; `create-admin` reads `ADMIN_PASSWORD` when
//!   `--password-stdin` is not given (default: none).
//!
//! Second factor:
//! - `MFA_ENCRYPTION_KEY`: 32+ bytes; TOTP secrets are encrypted at rest with a key
//!   derived from it (default: generated into `DATA_DIR` in local; without it in
//!   production, TOTP enrolment answers 503).

mod browser;
mod error;
mod jwt;
mod limits;
mod oauth;
mod reader;
#[cfg(test)]
mod tests;
mod variables;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use portcullis_core::AuthPolicy;
use portcullis_domain::ports::LockoutPolicy;
use portcullis_domain::{DeviceBinding, TimeSpan};
use secrecy::{ExposeSecret, SecretString};

pub use browser::{CookieSettings, SameSite};
pub use error::{ConfigError, Problem, Quoted};
pub use jwt::{JwtAlgorithm, JwtSettings, MIN_JWT_SECRET_BYTES};
pub use limits::{LoginLockout, RateLimits};
pub use oauth::{OAuthClient, OAuthSettings};
pub use variables::VARIABLES;

use reader::Reader;

/// Where the binary runs (`APP_ENV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppEnv {
    /// A developer machine: embedded stores, generated secret, insecure cookies allowed.
    #[default]
    Local,
    /// Behind TLS with Postgres, Redis and an explicit secret.
    Production,
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable, for a terminal.
    Pretty,
}

/// The whole configuration of the server. `Debug` redacts every secret.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV`.
    pub app_env: AppEnv,
    /// `HOST`: the bind address.
    pub host: IpAddr,
    /// `PORT`: the bind port (`0`: any free port).
    pub port: u16,
    /// `PUBLIC_URL`, as `scheme://host[:port]` without a trailing slash.
    pub public_url: String,
    /// `DATA_DIR`: home of the embedded store and the generated local JWT secret.
    pub data_dir: PathBuf,
    /// `SHUTDOWN_TIMEOUT`.
    pub shutdown_timeout: Duration,
    /// `LOG_LEVEL`, a validated tracing filter.
    pub log_level: String,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub otel_exporter_otlp_endpoint: Option<String>,
    /// `METRICS_TOKEN`: when set, `/metrics` requires it as a Bearer token.
    pub metrics_token: Option<SecretString>,
    /// `METRICS_ADDR`: when set, `/metrics` is served on this listener only.
    pub metrics_addr: Option<SocketAddr>,
    /// `DATABASE_URL` (Postgres or `sqlite://path`); `None` means the embedded SQLite
    /// store under `DATA_DIR`.
    pub database_url: Option<SecretString>,
    /// `REDIS_URL`; `None` means in-process stores.
    pub redis_url: Option<SecretString>,
    /// `REDIS_PREFIX`; `None` means the adapter's default.
    pub redis_prefix: Option<String>,
    /// `AUTO_MIGRATE`.
    pub auto_migrate: bool,
    /// The `JWT_*` settings.
    pub jwt: JwtSettings,
    /// `ACCESS_TOKEN_TTL`.
    pub access_token_ttl: Duration,
    /// `REFRESH_TOKEN_TTL` (sliding).
    pub refresh_token_ttl: Duration,
    /// `SESSION_ABSOLUTE_TTL`.
    pub session_absolute_ttl: Duration,
    /// `REFRESH_REUSE_GRACE`; zero disables the window.
    pub refresh_reuse_grace: Duration,
    /// `MAX_ACTIVE_REFRESH_TOKENS_PER_USER`.
    pub max_active_refresh_tokens_per_user: u32,
    /// `DEVICE_BINDING`.
    pub device_binding: DeviceBinding,
    /// `EXPIRED_TOKEN_RETENTION_DAYS`.
    pub expired_token_retention_days: u32,
    /// `REVOKED_TOKEN_RETENTION_DAYS`.
    pub revoked_token_retention_days: u32,
    /// `AUDIT_RETENTION_DAYS`; `None` (from `0`) keeps audit events forever.
    pub audit_retention_days: Option<u32>,
    /// `BCRYPT_COST`.
    pub bcrypt_cost: u32,
    /// `BCRYPT_MAX_IN_FLIGHT`.
    pub bcrypt_max_in_flight: usize,
    /// `REQUIRE_EMAIL_VERIFICATION`.
    pub require_email_verification: bool,
    /// `RESET_TOKEN_TTL`.
    pub reset_token_ttl: Duration,
    /// `COOKIE_SAMESITE`, and what `APP_ENV` implies for the cookies.
    pub cookies: CookieSettings,
    /// `CORS_ALLOWED_ORIGINS`, normalized (`scheme://host[:port]`, lower-case, default
    /// port elided) and without duplicates.
    pub cors_allowed_origins: Vec<String>,
    /// `TRUSTED_PROXIES`; a bare IP is a single-host network.
    pub trusted_proxies: Vec<IpNet>,
    /// `RATE_LIMIT_*`.
    pub rate_limits: RateLimits,
    /// `LOGIN_LOCKOUT_*`.
    pub login_lockout: LoginLockout,
    /// `SMTP_URL`; `None` means no mail server is configured.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// `MAIL_TEMPLATE_DIR`: files here replace the built-in mail templates.
    pub mail_template_dir: Option<PathBuf>,
    /// `OAUTH_*`.
    pub oauth: OAuthSettings,
    /// `ADMIN_EMAIL`: with `ADMIN_PASSWORD`, `serve` makes sure this admin exists.
    pub admin_email: Option<String>,
    /// `ADMIN_PASSWORD`: the bootstrap admin's password (also read by `create-admin`).
    pub admin_password: Option<SecretString>,
    /// `MFA_ENCRYPTION_KEY`: 32+ bytes; TOTP seeds are encrypted at rest with a key
    /// derived from it (generated into `DATA_DIR` in local mode).
    pub mfa_encryption_key: Option<SecretString>,
}

impl Config {
    /// Builds the configuration from `lookup` (a variable's value, `None` when unset).
    /// Pure: it reads nothing but `lookup` and the CPU count.
    ///
    /// # Errors
    ///
    /// The first variable found invalid (they are read in about [`VARIABLES`] order); in
    /// production, the first of `DATABASE_URL`, `REDIS_URL`, `JWT_SECRET`, `PUBLIC_URL`
    /// that is unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Reader::new(lookup);
        let app_env = env.one_of(
            "APP_ENV",
            AppEnv::Local,
            "local | production",
            &[("local", AppEnv::Local), ("production", AppEnv::Production)],
        )?;
        let production = app_env == AppEnv::Production;
        let host = env.parsed("HOST", IpAddr::V4(Ipv4Addr::UNSPECIFIED), reader::parse_ip)?;
        let port = env.between("PORT", 8080, 0, u16::MAX.into())?;
        let explicit_public_url = env.parsed("PUBLIC_URL", None, |value| {
            browser::parse_public_url(value).map(Some)
        })?;
        let public_url = explicit_public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}"));
        let data_dir = PathBuf::from(env.string("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let shutdown_timeout = env.duration("SHUTDOWN_TIMEOUT", 30 * SECOND)?;
        let log_level = env.parsed("LOG_LEVEL", "info".to_owned(), reader::parse_log_filter)?;
        let log_format = env.one_of(
            "LOG_FORMAT",
            if production {
                LogFormat::Json
            } else {
                LogFormat::Pretty
            },
            "json | pretty",
            &[("json", LogFormat::Json), ("pretty", LogFormat::Pretty)],
        )?;
        let otel_exporter_otlp_endpoint = env
            .connection_url(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &["http", "https"],
                "the scheme must be http or https (OTLP over HTTP/protobuf, port 4318)",
            )?
            .map(|url| url.expose_secret().to_owned());
        let metrics_token = env.secret("METRICS_TOKEN");
        let metrics_addr = env.parsed("METRICS_ADDR", None, |value| {
            reader::parse_socket_addr(value).map(Some)
        })?;
        if let Some(addr) = metrics_addr
            && addr.port() == port
            && port != 0
            && (addr.ip() == host || addr.ip().is_unspecified() || host.is_unspecified())
        {
            return Err(ConfigError::new(
                "METRICS_ADDR",
                Problem::Invalid("must differ from HOST:PORT, the main listener"),
            ));
        }
        let database_url = env.connection_url(
            "DATABASE_URL",
            &["postgres", "postgresql", "sqlite"],
            "the scheme must be postgres, postgresql or sqlite",
        )?;
        if production
            && database_url
                .as_ref()
                .is_some_and(|u| u.expose_secret().starts_with("sqlite:"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                Problem::Invalid("production requires Postgres (postgres://…)"),
            ));
        }
        let redis_url = env.connection_url(
            "REDIS_URL",
            &["redis", "rediss", "redis+unix", "unix"],
            "the scheme must be redis, rediss, redis+unix or unix",
        )?;
        let redis_prefix = env.string("REDIS_PREFIX");
        if redis_prefix
            .as_deref()
            .is_some_and(|p| p.contains(['{', '}']))
        {
            return Err(ConfigError::new(
                "REDIS_PREFIX",
                Problem::Invalid("must not contain { or } (they are Redis Cluster hash tags)"),
            ));
        }
        let auto_migrate = env.bool("AUTO_MIGRATE", !production)?;
        let jwt = JwtSettings::read(&env, explicit_public_url.as_deref())?;

        if production {
            let required = [
                ("DATABASE_URL", database_url.is_some()),
                ("REDIS_URL", redis_url.is_some()),
                (
                    "JWT_SECRET",
                    jwt.secret.is_some() || jwt.algorithm != JwtAlgorithm::Hs256,
                ),
                ("PUBLIC_URL", explicit_public_url.is_some()),
            ];
            if let Some((variable, _)) = required.iter().find(|(_, present)| !present) {
                return Err(ConfigError::new(variable, Problem::RequiredInProduction));
            }
        }

        Ok(Self {
            app_env,
            host,
            port,
            public_url: public_url.clone(),
            data_dir,
            shutdown_timeout,
            log_level,
            log_format,
            otel_exporter_otlp_endpoint,
            metrics_token,
            metrics_addr,
            database_url,
            redis_url,
            redis_prefix,
            auto_migrate,
            jwt,
            access_token_ttl: env.positive_duration("ACCESS_TOKEN_TTL", 15 * MINUTE)?,
            refresh_token_ttl: env.positive_duration("REFRESH_TOKEN_TTL", 168 * HOUR)?,
            session_absolute_ttl: env.positive_duration("SESSION_ABSOLUTE_TTL", 720 * HOUR)?,
            refresh_reuse_grace: env.duration("REFRESH_REUSE_GRACE", 3 * SECOND)?,
            max_active_refresh_tokens_per_user: env.at_least(
                "MAX_ACTIVE_REFRESH_TOKENS_PER_USER",
                10,
                1,
            )?,
            device_binding: env.one_of(
                "DEVICE_BINDING",
                DeviceBinding::Ua,
                "ua | strict | off",
                &[
                    ("ua", DeviceBinding::Ua),
                    ("strict", DeviceBinding::Strict),
                    ("off", DeviceBinding::Off),
                ],
            )?,
            expired_token_retention_days: env.between(
                "EXPIRED_TOKEN_RETENTION_DAYS",
                30,
                0,
                MAX_RETENTION_DAYS,
            )?,
            revoked_token_retention_days: env.between(
                "REVOKED_TOKEN_RETENTION_DAYS",
                90,
                0,
                MAX_RETENTION_DAYS,
            )?,
            audit_retention_days: Some(env.between(
                "AUDIT_RETENTION_DAYS",
                365,
                0,
                MAX_RETENTION_DAYS,
            )?)
            .filter(|&days| days > 0),
            bcrypt_cost: env.between("BCRYPT_COST", 12, 4, 31)?,
            bcrypt_max_in_flight: env.at_least("BCRYPT_MAX_IN_FLIGHT", cpu_count(), 1)?,
            require_email_verification: env.bool("REQUIRE_EMAIL_VERIFICATION", false)?,
            reset_token_ttl: env.positive_duration("RESET_TOKEN_TTL", HOUR)?,
            cookies: CookieSettings {
                same_site: env.one_of(
                    "COOKIE_SAMESITE",
                    SameSite::Lax,
                    "lax | strict",
                    &[("lax", SameSite::Lax), ("strict", SameSite::Strict)],
                )?,
                secure: app_env != AppEnv::Local,
                prefixed_names: production,
            },
            cors_allowed_origins: browser::read_origins(&env, "CORS_ALLOWED_ORIGINS")?,
            trusted_proxies: env.networks("TRUSTED_PROXIES")?,
            rate_limits: RateLimits::read(&env)?,
            login_lockout: LoginLockout::read(&env)?,
            smtp_url: env.connection_url(
                "SMTP_URL",
                &["smtp", "smtps"],
                "the scheme must be smtp or smtps",
            )?,
            mail_from: env.parsed(
                "MAIL_FROM",
                "Portcullis <no-reply@localhost>".to_owned(),
                reader::parse_mailbox,
            )?,
            mail_template_dir: env.string("MAIL_TEMPLATE_DIR").map(PathBuf::from),
            oauth: OAuthSettings::read(&env, &public_url)?,
            admin_email: env.string("ADMIN_EMAIL"),
            admin_password: env.secret("ADMIN_PASSWORD"),
            mfa_encryption_key: env.secret_at_least("MFA_ENCRYPTION_KEY", MIN_JWT_SECRET_BYTES)?,
        })
    }

    /// Whether `APP_ENV=local`.
    pub fn is_local(&self) -> bool {
        self.app_env == AppEnv::Local
    }

    /// The address to bind: `HOST`:`PORT`.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// The policy the core use cases run with.
    pub fn auth_policy(&self) -> AuthPolicy {
        AuthPolicy {
            access_ttl: time_span(self.access_token_ttl),
            refresh_ttl: time_span(self.refresh_token_ttl),
            session_absolute_ttl: time_span(self.session_absolute_ttl),
            reuse_grace: time_span(self.refresh_reuse_grace),
            max_sessions: self.max_active_refresh_tokens_per_user,
            device_binding: self.device_binding,
            lockout: LockoutPolicy {
                threshold: self.login_lockout.threshold,
                window: time_span(self.login_lockout.window),
                duration: time_span(self.login_lockout.duration),
            },
            jwt_leeway: time_span(self.jwt.leeway),
            public_url: self.public_url.clone(),
            reset_ttl: time_span(self.reset_token_ttl),
            verification_ttl: TimeSpan::hours(24),
            require_email_verification: self.require_email_verification,
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);

/// A century: longer retention is a typo, and `now - days` must stay representable.
const MAX_RETENTION_DAYS: u64 = 36_500;

/// Every duration was capped at 100 years when parsed, far below `TimeSpan::MAX`, so the
/// fallback is unreachable; it only spares a panic path.
fn time_span(duration: Duration) -> TimeSpan {
    TimeSpan::from_std(duration).unwrap_or(TimeSpan::MAX)
}

fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}
