//! The composition root: picks an adapter for every port from the configuration and
//! builds the shared application state.

use std::sync::{Arc, OnceLock};

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use portcullis_core::{AuthService, Deps};
use portcullis_crypto::{
    AsymmetricAlgorithm, BcryptConfig, BcryptHasher, ChaChaSealer, JwtCodec, JwtConfig, JwtKey,
    NoSealer, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_domain::ports::{
    AuditLog, Clock, LockoutStore, MailOutbox, Mailer, MfaRepository, OneTimeTokenRepository,
    RateLimiter, RefreshTokenStore, SecretSealer, SessionDenyList, SessionRepository,
    UserRepository,
};
use portcullis_http::{
    AppState, CookieSettings, HealthCheck, HttpSettings, MetricsEndpoint, RateLimits, SameSite,
    TrustedNet,
};
use portcullis_memory::{
    MemoryDenyList, MemoryLockoutStore, MemoryRateLimiter, MemoryRefreshTokenStore,
};
use portcullis_postgres::{PgConfig, PgMailOutbox, PgPool, PgStores, PoolStats};
use portcullis_redis::RedisConfig;

use crate::audit_buffer::BufferedAuditLog;
use portcullis_sqlite::{SqliteConfig, SqliteStores};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::{self, Config, JwtAlgorithm};
use crate::local_secret;
use crate::mail::{self, OutboxNotifier};
use crate::retention::Retention;
use portcullis_mail::{DirectoryMailer, SmtpConfig, SmtpMailer, Templates};

/// What `serve` runs: the shared state, and the background mail worker's parts.
pub struct Built {
    /// Shared by every HTTP worker.
    pub state: AppState,
    /// The outbox drainer, started by `serve` only.
    pub mail: MailWorker,
    /// The retention job (periodic in `serve`, once in `cleanup`).
    pub retention: Retention,
    /// `/metrics` for the separate `METRICS_ADDR` listener, when that is set (the main
    /// application's `state.metrics` is then `None`, so the main port answers 404).
    pub metrics: Option<MetricsEndpoint>,
    /// The audit trail's write buffer: flush it before the process ends.
    pub audit: BufferedAuditLog,
}

/// The parts of the mail delivery worker.
pub struct MailWorker {
    outbox: Arc<dyn MailOutbox>,
    transport: Arc<dyn Mailer>,
    wake: Arc<tokio::sync::Notify>,
}

impl MailWorker {
    /// Starts draining the outbox until `stop` flips.
    pub fn spawn(self, stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(mail::run_worker(
            self.outbox,
            self.transport,
            Arc::new(SystemClock),
            self.wake,
            stop,
        ))
    }
}

/// Builds the application state: adapters, use cases, HTTP settings, health checks.
///
/// # Errors
/// When a secret is missing or an adapter cannot start.
pub async fn build(config: &Config) -> anyhow::Result<Built> {
    let codec = JwtCodec::new(JwtConfig {
        issuer: config.jwt.issuer.clone(),
        audience: config.jwt.audience.clone(),
        leeway: config.jwt.leeway,
        key: signing_key(config)?,
    })
    .context("JWT configuration")?;
    let hasher = BcryptHasher::from_config(BcryptConfig::new(
        config.bcrypt_cost,
        config.bcrypt_max_in_flight,
    ))
    .context("BCRYPT_COST")?;

    let hasher = Arc::new(hasher);
    let durable = durable_stores(config).await?;
    // Audit events leave the request path and are written in batches (audit_buffer.rs).
    let audit = BufferedAuditLog::start(durable.audit.clone());
    let fast = fast_stores(config).await?;
    let templates = match &config.mail_template_dir {
        Some(dir) => Templates::with_overrides(dir).context("MAIL_TEMPLATE_DIR")?,
        None => Templates::builtin(),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let wake = Arc::new(tokio::sync::Notify::new());
    let notifier = OutboxNotifier {
        templates,
        outbox: durable.outbox.clone(),
        clock: clock.clone(),
        wake: wake.clone(),
    };
    let mail = MailWorker {
        outbox: durable.outbox.clone(),
        transport: mail_transport(config)?,
        wake,
    };
    let retention = Retention {
        sessions: durable.sessions.clone(),
        audit: Arc::new(audit.clone()),
        pool: durable.pool.clone(),
        clock: clock.clone(),
        expired_days: config.expired_token_retention_days,
        revoked_days: config.revoked_token_retention_days,
        audit_days: config.audit_retention_days,
    };
    let deps = Deps {
        users: match &fast.replica {
            Some(replica) => Arc::new(replica.cached_users(durable.users)),
            None => durable.users,
        },
        sessions: durable.sessions,
        refresh_tokens: fast.refresh_tokens,
        deny_list: fast.deny_list,
        lockout: fast.lockout,
        limiter: fast.limiter,
        hasher: hasher.clone(),
        codec: Arc::new(codec),
        audit: Arc::new(audit.clone()),
        one_time_tokens: durable.one_time_tokens,
        notifier: Arc::new(notifier),
        mfa: durable.mfa,
        sealer: sealer(config)?,
        clock,
        ids: Arc::new(UuidV7Ids),
        random: Arc::new(OsRandom),
    };
    let health = vec![durable.health, fast.health];
    let metrics = metrics_endpoint(config, hasher, durable.pool)?;
    let (main_metrics, separate_metrics) = match config.metrics_addr {
        Some(_) => (None, Some(metrics)),
        None => (Some(metrics), None),
    };
    let state = AppState {
        service: AuthService::new(deps, config.auth_policy()).with_oauth(
            portcullis_core::OAuthDeps {
                providers: crate::oauth::providers(config)?,
                identities: durable.oauth_identities,
                states: fast.oauth_states,
            },
            crate::oauth::policy(config),
        ),
        settings: Arc::new(http_settings(config)),
        health: Arc::new(health),
        metrics: main_metrics,
    };
    Ok(Built {
        state,
        mail,
        retention,
        metrics: separate_metrics,
        audit,
    })
}

/// The access-token key: the HS256 secret (generated once in local mode), or the
/// EdDSA/ES256 PEM key with the previous public keys that still verify.
fn signing_key(config: &Config) -> anyhow::Result<JwtKey> {
    let algorithm = match config.jwt.algorithm {
        JwtAlgorithm::Hs256 => {
            let secret = match &config.jwt.secret {
                Some(secret) => secret.clone(),
                None if config.is_local() => local_secret::load_or_create(&config.data_dir)?,
                None => anyhow::bail!("JWT_SECRET: required outside APP_ENV=local"),
            };
            return Ok(JwtKey::Hs256 {
                secret: secret.expose_secret().as_bytes().to_vec(),
            });
        }
        JwtAlgorithm::EdDsa => AsymmetricAlgorithm::EdDsa,
        _ => AsymmetricAlgorithm::Es256,
    };
    let path = config
        .jwt
        .private_key
        .as_ref()
        .context("JWT_PRIVATE_KEY: required when JWT_ALGORITHM is EdDSA or ES256")?;
    let private = std::fs::read(path)
        .with_context(|| format!("JWT_PRIVATE_KEY: cannot read {}", path.display()))?;
    let verify = config
        .jwt
        .verify_keys
        .iter()
        .map(|p| {
            std::fs::read(p)
                .with_context(|| format!("JWT_VERIFY_KEYS: cannot read {}", p.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(JwtKey::from_pem(algorithm, &private, &verify)?)
}

/// The sealer of TOTP seeds: a key derived (SHA-256) from `MFA_ENCRYPTION_KEY`, or
/// generated once in local mode; without a key in production, enrolment answers 503.
fn sealer(config: &Config) -> anyhow::Result<Arc<dyn SecretSealer>> {
    let secret = match &config.mfa_encryption_key {
        Some(secret) => secret.clone(),
        None if config.is_local() => {
            local_secret::load_or_create_named(&config.data_dir, local_secret::MFA_KEY_FILE)?
        }
        None => {
            tracing::warn!("MFA_ENCRYPTION_KEY is not set: TOTP enrolment is unavailable");
            return Ok(Arc::new(NoSealer));
        }
    };
    let key: [u8; 32] = Sha256::digest(secret.expose_secret().as_bytes()).into();
    Ok(Arc::new(ChaChaSealer::new(key)))
}

/// The mail transport: SMTP when `SMTP_URL` is set, else `.eml` files in
/// `DATA_DIR/outbox` (where a developer finds the links).
fn mail_transport(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    if let Some(url) = &config.smtp_url {
        let mailer = SmtpMailer::new(&SmtpConfig::new(url.clone(), config.mail_from.clone()))
            .context("SMTP_URL")?;
        return Ok(Arc::new(mailer));
    }
    let dir = config.data_dir.join("outbox");
    if !config.is_local() {
        tracing::warn!(dir = %dir.display(), "no SMTP_URL: mail is written to files, not sent");
    }
    let mailer = DirectoryMailer::new(&dir, &config.mail_from).context("MAIL_FROM / DATA_DIR")?;
    tracing::info!(dir = %dir.display(), "no SMTP_URL: mail (reset and verification links) is written here as .eml files");
    Ok(Arc::new(mailer))
}

/// How often histogram samples are folded into their buckets.
const METRICS_UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// The Prometheus exporter (installed once per process) and the `/metrics` endpoint;
/// the hasher's gauges and the Postgres pool's are read at scrape time.
fn metrics_endpoint(
    config: &Config,
    hasher: Arc<BcryptHasher>,
    pool: Option<PgPool>,
) -> anyhow::Result<MetricsEndpoint> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    let handle = match HANDLE.get() {
        Some(handle) => handle.clone(),
        None => {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("portcullis_http_request_duration_seconds".to_owned()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .context("metrics buckets")?
                .install_recorder()
                .context("cannot install the metrics recorder")?;
            // Histogram samples wait in buckets until drained: without upkeep they grow
            // with every request until the next scrape (and forever without scrapes).
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".to_owned())
                .spawn(move || {
                    loop {
                        std::thread::sleep(METRICS_UPKEEP);
                        upkeep.run_upkeep();
                    }
                })
                .context("cannot start the metrics upkeep thread")?;
            HANDLE.get_or_init(|| handle).clone()
        }
    };
    Ok(MetricsEndpoint {
        render: Arc::new(move || {
            metrics::gauge!("portcullis_bcrypt_in_flight").set(hasher.in_flight() as f64);
            metrics::gauge!("portcullis_bcrypt_queued").set(hasher.queued() as f64);
            if let Some(pool) = &pool {
                record_pool_gauges(portcullis_postgres::pool_stats(pool));
            }
            handle.render()
        }),
        token: config
            .metrics_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
    })
}

/// The Postgres pool's gauges. The embedded SQLite store is not reported: it is one
/// process on one file, with one writer connection and a few readers.
fn record_pool_gauges(stats: PoolStats) {
    metrics::gauge!("portcullis_db_pool_connections", "state" => "idle").set(stats.idle as f64);
    metrics::gauge!("portcullis_db_pool_connections", "state" => "in_use").set(stats.in_use as f64);
    metrics::gauge!("portcullis_db_pool_waiting").set(stats.waiting as f64);
    metrics::gauge!("portcullis_db_pool_max").set(stats.max_size as f64);
}

/// The source of truth: users, sessions, audit events (Postgres, else in process).
struct DurableStores {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    audit: Arc<dyn AuditLog>,
    one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    oauth_identities: Arc<dyn portcullis_domain::ports::OAuthIdentityRepository>,
    mfa: Arc<dyn MfaRepository>,
    outbox: Arc<dyn MailOutbox>,
    pool: Option<PgPool>,
    health: HealthCheck,
}

async fn durable_stores(config: &Config) -> anyhow::Result<DurableStores> {
    let url = config
        .database_url
        .as_ref()
        .map(|u| u.expose_secret().to_owned());
    match url {
        Some(url) if !url.starts_with("sqlite:") => postgres_stores(config, &url).await,
        url => {
            let sqlite = match url {
                Some(url) => {
                    SqliteConfig::from_url(&url).context("DATABASE_URL: use sqlite://path")?
                }
                None => SqliteConfig::new(config.data_dir.join("portcullis.db")),
            };
            sqlite_stores(&sqlite).await
        }
    }
}

/// The embedded store: one SQLite file (migrated at open), single node.
async fn sqlite_stores(sqlite: &SqliteConfig) -> anyhow::Result<DurableStores> {
    let stores = SqliteStores::open_with(sqlite)
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL (SQLite): {e}"))?;
    tracing::info!(path = %sqlite.path.display(), "embedded mode: data lives in this SQLite file (single node)");
    let probe = stores.clone();
    Ok(DurableStores {
        users: stores.users,
        sessions: stores.sessions,
        audit: stores.audit,
        one_time_tokens: stores.one_time_tokens,
        oauth_identities: stores.oauth_identities,
        mfa: stores.mfa,
        outbox: stores.mail_outbox,
        pool: None,
        health: HealthCheck {
            name: "database",
            run: Arc::new(move || {
                let probe = probe.clone();
                Box::pin(
                    async move { probe.ping().await.map(|()| "ok").map_err(|e| e.to_string()) },
                )
            }),
        },
    })
}

/// Postgres: migrated (with `AUTO_MIGRATE`) or checked to be current, then pooled.
async fn postgres_stores(config: &Config, url: &str) -> anyhow::Result<DurableStores> {
    prepare_schema(config, url).await?;
    let pool = portcullis_postgres::connect(&PgConfig::new(url))
        .await
        .context("DATABASE_URL")?;
    let stores = PgStores::new(pool.clone());
    Ok(DurableStores {
        users: stores.users,
        sessions: stores.sessions,
        audit: stores.audit,
        one_time_tokens: stores.one_time_tokens,
        oauth_identities: stores.oauth_identities,
        mfa: stores.mfa,
        outbox: Arc::new(PgMailOutbox::new(pool.clone())),
        pool: Some(pool.clone()),
        health: HealthCheck {
            name: "database",
            run: Arc::new(move || {
                let pool = pool.clone();
                Box::pin(async move {
                    portcullis_postgres::ping(&pool)
                        .await
                        .map(|()| "ok")
                        .map_err(|e| e.to_string())
                })
            }),
        },
    })
}

/// Runs the embedded migrations when `AUTO_MIGRATE` is on; otherwise refuses to serve
/// a schema that is behind.
pub async fn prepare_schema(config: &Config, url: &str) -> anyhow::Result<()> {
    if config.auto_migrate {
        let applied = portcullis_postgres::run_migrations(url)
            .await
            .context("DATABASE_URL: migrations failed")?;
        if !applied.is_empty() {
            tracing::info!(applied = ?applied, "migrations applied (AUTO_MIGRATE)");
        }
        return Ok(());
    }
    let pending = portcullis_postgres::pending_migrations(url)
        .await
        .context("DATABASE_URL")?;
    if !pending.is_empty() {
        anyhow::bail!(
            "DATABASE_URL: the schema is {} migration(s) behind ({}); run `portcullis migrate` first",
            pending.len(),
            pending.join(", ")
        );
    }
    Ok(())
}

/// Refresh-token families, the deny-list, lock-out and rate-limit counters (Redis,
/// else in process).
struct FastStores {
    refresh_tokens: Arc<dyn RefreshTokenStore>,
    deny_list: Arc<dyn SessionDenyList>,
    lockout: Arc<dyn LockoutStore>,
    limiter: Arc<dyn RateLimiter>,
    oauth_states: Arc<dyn portcullis_domain::ports::OAuthStateStore>,
    health: HealthCheck,
    /// The deny-list replica and user cache, with Redis.
    replica: Option<portcullis_redis::Replica>,
}

async fn fast_stores(config: &Config) -> anyhow::Result<FastStores> {
    let Some(url) = &config.redis_url else {
        tracing::warn!(
            "single-node mode: refresh tokens, the session deny-list and rate limits live in this process; \
             set REDIS_URL to share them between instances"
        );
        return Ok(FastStores {
            refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
            deny_list: Arc::new(MemoryDenyList::new()),
            lockout: Arc::new(MemoryLockoutStore::new()),
            limiter: Arc::new(MemoryRateLimiter::new()),
            oauth_states: Arc::new(portcullis_memory::MemoryOAuthStateStore::new()),
            replica: None,
            health: HealthCheck {
                name: "redis",
                run: Arc::new(|| Box::pin(async { Ok("in_process") })),
            },
        });
    };
    let mut redis = RedisConfig::new(url.expose_secret());
    if let Some(prefix) = &config.redis_prefix {
        redis = redis.with_prefix(prefix.clone());
    }
    let stores = portcullis_redis::connect(&redis)
        .await
        .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
    let connection = stores.connection.clone();
    // Access-token checks and `GET /me` read this replica instead of Redis and the
    // database while its subscription is healthy (portcullis_redis::Replica).
    let replica = portcullis_redis::Replica::start(stores.connection.clone());
    Ok(FastStores {
        refresh_tokens: Arc::new(stores.refresh_tokens),
        deny_list: Arc::new(replica.deny_list()),
        replica: Some(replica),
        lockout: Arc::new(stores.lockout),
        limiter: Arc::new(stores.rate_limiter),
        oauth_states: Arc::new(portcullis_redis::RedisOAuthStateStore::new(
            stores.connection.clone(),
        )),
        health: HealthCheck {
            name: "redis",
            run: Arc::new(move || {
                let connection = connection.clone();
                Box::pin(async move {
                    portcullis_redis::ping(&connection)
                        .await
                        .map(|()| "ok")
                        .map_err(|e| e.to_string())
                })
            }),
        },
    })
}

/// The HTTP face's settings from the configuration.
pub fn http_settings(config: &Config) -> HttpSettings {
    let mut allowed_origins = config.cors_allowed_origins.clone();
    if let Some(origin) = portcullis_http::middleware::normalize_origin(&config.public_url)
        && !allowed_origins.contains(&origin)
    {
        allowed_origins.push(origin);
    }
    HttpSettings {
        cookies: CookieSettings {
            same_site: match config.cookies.same_site {
                config::SameSite::Lax => SameSite::Lax,
                config::SameSite::Strict => SameSite::Strict,
            },
            secure: config.cookies.secure,
            prefixed: config.cookies.prefixed_names,
        },
        trusted_proxies: config
            .trusted_proxies
            .iter()
            .map(|net| TrustedNet {
                addr: net.network(),
                prefix: net.prefix_len(),
            })
            .collect(),
        allowed_origins,
        hsts: !config.is_local(),
        rate_limits: RateLimits {
            auth: config.rate_limits.auth,
            refresh: config.rate_limits.refresh,
            sessions: config.rate_limits.sessions,
            users: config.rate_limits.users,
            fail_open: config.rate_limits.fail_open,
        },
    }
}
