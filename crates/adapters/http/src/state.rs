//! What the handlers share: the use cases and the HTTP settings.

use std::net::IpAddr;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use portcullis_core::AuthService;

/// `SameSite` for the auth cookies (`COOKIE_SAMESITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// `lax` (default).
    #[default]
    Lax,
    /// `strict`.
    Strict,
}

/// Cookie attributes (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CookieSettings {
    /// `SameSite` attribute.
    pub same_site: SameSite,
    /// `Secure` attribute (off only in `APP_ENV=local`).
    pub secure: bool,
    /// `__Host-`/`__Secure-` name prefixes (production).
    pub prefixed: bool,
}

impl CookieSettings {
    /// Name of the access-token cookie.
    pub fn access_name(&self) -> &'static str {
        if self.prefixed {
            "__Host-access_token"
        } else {
            "access_token"
        }
    }

    /// Name of the refresh-token cookie.
    pub fn refresh_name(&self) -> &'static str {
        if self.prefixed {
            "__Secure-refresh_token"
        } else {
            "refresh_token"
        }
    }
}

/// A CIDR block of trusted proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length.
    pub prefix: u8,
}

impl TrustedNet {
    /// Whether `ip` is inside the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Settings of the HTTP face, built by the server from its configuration.
#[derive(Debug, Clone, Default)]
pub struct HttpSettings {
    /// Cookie attributes.
    pub cookies: CookieSettings,
    /// `TRUSTED_PROXIES`.
    pub trusted_proxies: Vec<TrustedNet>,
    /// Origins allowed to send cookie-authenticated state changes and CORS requests:
    /// `CORS_ALLOWED_ORIGINS` plus the origin of `PUBLIC_URL`, normalized
    /// (`scheme://host[:port]`, lower case, default port elided).
    pub allowed_origins: Vec<String>,
    /// Send `Strict-Transport-Security` (not in local mode).
    pub hsts: bool,
    /// Request budgets (`RATE_LIMIT_*`).
    pub rate_limits: crate::rate_limit::RateLimits,
}

/// The status of one readiness check.
pub type CheckResult = Result<&'static str, String>;

/// A readiness check: its name in `/health` and how to run it.
#[derive(Clone)]
pub struct HealthCheck {
    /// `database`, `redis`, ...
    pub name: &'static str,
    /// Resolves to `Ok("ok")`/`Ok("in_process")` or an error text for the log.
    pub run: Arc<dyn Fn() -> BoxFuture<'static, CheckResult> + Send + Sync>,
}

/// `GET /metrics`: how to render the Prometheus text, and the Bearer token it
/// requires (`METRICS_TOKEN`), if any.
#[derive(Clone)]
pub struct MetricsEndpoint {
    /// Renders the current metrics in the Prometheus text format.
    pub render: Arc<dyn Fn() -> String + Send + Sync>,
    /// Required Bearer token.
    pub token: Option<String>,
}

/// Everything a handler reaches through `web::Data<AppState>`.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: AuthService,
    /// HTTP settings.
    pub settings: Arc<HttpSettings>,
    /// Readiness checks for `/health`.
    pub health: Arc<Vec<HealthCheck>>,
    /// `/metrics`, when the server installed an exporter.
    pub metrics: Option<MetricsEndpoint>,
}
