//! The composition root: picks an adapter for every port from the configuration and
//! builds the shared application state.

use std::sync::Arc;

use anyhow::Context;
use portcullis_core::{AuthService, Deps};
use portcullis_crypto::{
    BcryptConfig, BcryptHasher, JwtCodec, JwtConfig, JwtKey, OsRandom, SystemClock, UuidV7Ids,
};
use portcullis_http::{
    AppState, CookieSettings, HealthCheck, HttpSettings, RateLimits, SameSite, TrustedNet,
};
use portcullis_memory::{
    MemoryAuditLog, MemoryDenyList, MemoryLockoutStore, MemoryRefreshTokenStore,
    MemorySessionRepository, MemoryUserRepository,
};
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

    if config.database_url.is_some() || config.redis_url.is_some() {
        anyhow::bail!(
            "DATABASE_URL / REDIS_URL: external stores are not wired yet; unset them to use the embedded stores"
        );
    }
    tracing::warn!(
        "embedded single-node mode: users, sessions, refresh tokens, rate limits and the deny-list live in this process \
         and are lost on restart; set DATABASE_URL and REDIS_URL for production"
    );
    let deps = Deps {
        users: Arc::new(MemoryUserRepository::new()),
        sessions: Arc::new(MemorySessionRepository::new()),
        refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
        deny_list: Arc::new(MemoryDenyList::new()),
        lockout: Arc::new(MemoryLockoutStore::new()),
        limiter: Arc::new(portcullis_memory::MemoryRateLimiter::new()),
        hasher: Arc::new(hasher),
        codec: Arc::new(codec),
        audit: Arc::new(MemoryAuditLog::new()),
        clock: Arc::new(SystemClock),
        ids: Arc::new(UuidV7Ids),
        random: Arc::new(OsRandom),
    };
    let health = vec![
        HealthCheck {
            name: "database",
            run: Arc::new(|| Box::pin(async { Ok("ok") })),
        },
        HealthCheck {
            name: "redis",
            run: Arc::new(|| Box::pin(async { Ok("in_process") })),
        },
    ];
    Ok(AppState {
        service: AuthService::new(deps, config.auth_policy()),
        settings: Arc::new(http_settings(config)),
        health: Arc::new(health),
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
