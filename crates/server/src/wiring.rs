//! The composition root: picks an adapter for every port from the configuration and
//! builds the shared application state.

use std::sync::{Arc, OnceLock};

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use portcullis_core::{AuthService, Deps};
use portcullis_crypto::{
    BcryptConfig, BcryptHasher, JwtCodec, JwtConfig, JwtKey, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_domain::ports::{
    AuditLog, LockoutStore, RateLimiter, RefreshTokenStore, SessionDenyList, SessionRepository,
    UserRepository,
};
use portcullis_http::{
    AppState, CookieSettings, HealthCheck, HttpSettings, MetricsEndpoint, RateLimits, SameSite,
    TrustedNet,
};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryRateLimiter, MemoryRefreshTokenStore,
    MemorySessionRepository, MemoryUserRepository,
};
use portcullis_redis::RedisConfig;
use secrecy::ExposeSecret;

use crate::config::{self, Config};
use crate::local_secret;

/// Builds the application state: adapters, use cases, HTTP settings, health checks.
///
/// # Errors
/// When a secret is missing or an adapter cannot start.
pub async fn build(config: &Config) -> anyhow::Result<AppState> {
    let secret = match &config.jwt.secret {
        Some(secret) => secret.clone(),
        None if config.is_local() => local_secret::load_or_create(&config.data_dir)?,
        None => anyhow::bail!("JWT_SECRET: required outside APP_ENV=local"),
    };
    let codec = JwtCodec::new(JwtConfig {
        issuer: config.jwt.issuer.clone(),
        audience: config.jwt.audience.clone(),
        leeway: config.jwt.leeway,
        key: JwtKey::Hs256 {
            secret: secret.expose_secret().as_bytes().to_vec(),
        },
    })
    .context("JWT_SECRET")?;
    let hasher = BcryptHasher::from_config(BcryptConfig::new(
        config.bcrypt_cost,
        config.bcrypt_max_in_flight,
    ))
    .context("BCRYPT_COST")?;

    let hasher = Arc::new(hasher);
    let durable = durable_stores(config).await?;
    let fast = fast_stores(config).await?;
    let deps = Deps {
        users: durable.users,
        sessions: durable.sessions,
        refresh_tokens: fast.refresh_tokens,
        deny_list: fast.deny_list,
        lockout: fast.lockout,
        limiter: fast.limiter,
        hasher: hasher.clone(),
        codec: Arc::new(codec),
        audit: durable.audit,
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7Ids),
        random: Arc::new(OsRandom),
    };
    let health = vec![durable.health, fast.health];
    Ok(AppState {
        service: AuthService::new(deps, config.auth_policy()),
        settings: Arc::new(http_settings(config)),
        health: Arc::new(health),
        metrics: Some(metrics_endpoint(config, hasher)?),
    })
}

/// The Prometheus exporter (installed once per process) and the `/metrics` endpoint;
/// the hasher's gauges are read at scrape time.
fn metrics_endpoint(config: &Config, hasher: Arc<BcryptHasher>) -> anyhow::Result<MetricsEndpoint> {
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
            HANDLE.get_or_init(|| handle).clone()
        }
    };
    Ok(MetricsEndpoint {
        render: Arc::new(move || {
            metrics::gauge!("portcullis_bcrypt_in_flight").set(hasher.in_flight() as f64);
            metrics::gauge!("portcullis_bcrypt_queued").set(hasher.queued() as f64);
            handle.render()
        }),
        token: config
            .metrics_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
    })
}

/// The source of truth: users, sessions, audit events (Postgres, else in process).
struct DurableStores {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    audit: Arc<dyn AuditLog>,
    health: HealthCheck,
}

async fn durable_stores(config: &Config) -> anyhow::Result<DurableStores> {
    if config.database_url.is_some() {
        anyhow::bail!(
            "DATABASE_URL: the Postgres store is not wired yet; unset it to use the embedded store"
        );
    }
    tracing::warn!(
        "embedded mode: users and sessions live in this process and are lost on restart; \
         set DATABASE_URL for a durable store"
    );
    Ok(DurableStores {
        users: Arc::new(MemoryUserRepository::new()),
        sessions: Arc::new(MemorySessionRepository::new()),
        audit: Arc::new(MemoryAuditLog::new()),
        health: HealthCheck {
            name: "database",
            run: Arc::new(|| Box::pin(async { Ok("ok") })),
        },
    })
}

/// Refresh-token families, the deny-list, lock-out and rate-limit counters (Redis,
/// else in process).
struct FastStores {
    refresh_tokens: Arc<dyn RefreshTokenStore>,
    deny_list: Arc<dyn SessionDenyList>,
    lockout: Arc<dyn LockoutStore>,
    limiter: Arc<dyn RateLimiter>,
    health: HealthCheck,
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
    Ok(FastStores {
        refresh_tokens: Arc::new(stores.refresh_tokens),
        deny_list: Arc::new(stores.deny_list),
        lockout: Arc::new(stores.lockout),
        limiter: Arc::new(stores.rate_limiter),
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
