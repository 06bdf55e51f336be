//! Request budgets of SPEC §6, applied per route: each auth endpoint has its own
//! bucket per client IP, refresh one per client IP, the session endpoints one per user,
//! and `/me*`, `/users*`, `/admin/*` share one per user. Every limited response
//! carries `X-RateLimit-*` and the IETF `RateLimit-Policy` / `RateLimit` fields; a
//! refusal is 429 with `Retry-After`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use portcullis_domain::TimeSpan;
use portcullis_domain::ports::{RateLimitDecision, RateLimitPolicy};

use crate::auth::presented_token;
use crate::client::client_ip;
use crate::error::{ApiError, whole_seconds};
use crate::state::AppState;

/// `RATE_LIMIT_*`: requests per minute for each class, and the fail-open switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Each auth endpoint, per client IP.
    pub auth: u32,
    /// Refresh, per client IP.
    pub refresh: u32,
    /// Session endpoints, per user.
    pub sessions: u32,
    /// `/me*`, `/users*`, `/admin/*`, per user.
    pub users: u32,
    /// Let requests through when the limiter's store is unreachable.
    pub fail_open: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            auth: 5,
            refresh: 10,
            sessions: 60,
            users: 100,
            fail_open: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Auth,
    Refresh,
    Sessions,
    Users,
}

/// Which bucket a request counts against: its name and class.
fn bucket(method: &Method, path: &str) -> Option<(&'static str, Class)> {
    let rest = path.strip_prefix("/api/v1/")?;
    let auth_post = |name| (method == Method::POST).then_some((name, Class::Auth));
    match rest {
        "auth/register" => auth_post("register"),
        "auth/login" => auth_post("login"),
        "auth/password/forgot" => auth_post("password_forgot"),
        "auth/password/reset" => auth_post("password_reset"),
        "auth/email/verify" => auth_post("email_verify"),
        "auth/email/resend" => auth_post("email_resend"),
        "auth/mfa" => auth_post("mfa"),
        "auth/refresh" => (method == Method::POST).then_some(("refresh", Class::Refresh)),
        "auth/logout-all" => Some(("sessions", Class::Sessions)),
        r if r == "auth/sessions" || r.starts_with("auth/sessions/") => {
            Some(("sessions", Class::Sessions))
        }
        r if r == "me"
            || r.starts_with("me/")
            || r == "users"
            || r.starts_with("users/")
            || r.starts_with("admin/") =>
        {
            Some(("users", Class::Users))
        }
        _ => None,
    }
}

/// Applies the budget of the request's route, if it has one.
pub async fn rate_limit<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let (Some(state), Some((name, class))) = (
        req.app_data::<web::Data<AppState>>().cloned(),
        bucket(req.method(), req.path()),
    ) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let limits = state.settings.rate_limits;
    let (per_minute, subject) = match class {
        Class::Auth | Class::Refresh => {
            let ip = client_ip(req.request(), &state.settings.trusted_proxies);
            let limit = if class == Class::Auth {
                limits.auth
            } else {
                limits.refresh
            };
            (
                limit,
                ip.map_or_else(|| "unknown".to_owned(), |ip| format!("ip:{ip}")),
            )
        }
        Class::Sessions | Class::Users => {
            // Authenticate once here; the extractor reuses the principal.
            let principal = match presented_token(req.request(), &state) {
                Some((token, _)) => state.service.authenticate(&token).await.ok(),
                None => None,
            };
            let Some(principal) = principal else {
                // No valid token: the handler answers 401 without touching storage.
                return Ok(next.call(req).await?.map_into_left_body());
            };
            req.extensions_mut().insert(principal);
            let limit = if class == Class::Sessions {
                limits.sessions
            } else {
                limits.users
            };
            (limit, format!("user:{}", principal.user_id))
        }
    };
    let policy = RateLimitPolicy {
        limit: per_minute,
        window: TimeSpan::minutes(1),
    };
    match state
        .service
        .rate_limit(&format!("rl:{name}:{subject}"), policy)
        .await
    {
        Ok(decision) if decision.allowed => {
            let mut res = next.call(req).await?;
            set_headers(res.headers_mut(), name, &decision);
            Ok(res.map_into_left_body())
        }
        Ok(decision) => {
            // The access log line says 429 already; a line per refusal at warn would let
            // a flood flood the logs too.
            tracing::debug!(bucket = name, "rate limited");
            metrics::counter!("portcullis_rate_limited_total", "bucket" => name).increment(1);
            let mut res =
                ApiError::rate_limited(whole_seconds(decision.reset_after)).error_response();
            set_headers(res.headers_mut(), name, &decision);
            Ok(req.into_response(res).map_into_right_body())
        }
        Err(failure) if limits.fail_open => {
            tracing::error!(error = %failure, bucket = name, "rate limiter unavailable; failing open");
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(failure) => Ok(req
            .into_response(ApiError::from(failure).error_response())
            .map_into_right_body()),
    }
}

fn set_headers(headers: &mut HeaderMap, name: &str, d: &RateLimitDecision) {
    let reset = whole_seconds(d.reset_after);
    let window = 60;
    let values = [
        ("x-ratelimit-limit", d.limit.to_string()),
        ("x-ratelimit-remaining", d.remaining.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        (
            "ratelimit-policy",
            format!("\"{name}\";q={};w={window}", d.limit),
        ),
        (
            "ratelimit",
            format!("\"{name}\";r={};t={reset}", d.remaining),
        ),
    ];
    for (header, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(header), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_to_the_spec_buckets() {
        let post = Method::POST;
        assert_eq!(
            bucket(&post, "/api/v1/auth/login"),
            Some(("login", Class::Auth))
        );
        assert_eq!(
            bucket(&post, "/api/v1/auth/register"),
            Some(("register", Class::Auth))
        );
        assert_eq!(
            bucket(&post, "/api/v1/auth/refresh"),
            Some(("refresh", Class::Refresh))
        );
        assert_eq!(
            bucket(&Method::GET, "/api/v1/auth/sessions"),
            Some(("sessions", Class::Sessions))
        );
        assert_eq!(
            bucket(&Method::DELETE, "/api/v1/auth/sessions/x"),
            Some(("sessions", Class::Sessions))
        );
        assert_eq!(
            bucket(&Method::GET, "/api/v1/me"),
            Some(("users", Class::Users))
        );
        assert_eq!(
            bucket(&Method::PUT, "/api/v1/me/password"),
            Some(("users", Class::Users))
        );
        assert_eq!(
            bucket(&Method::GET, "/api/v1/users/abc"),
            Some(("users", Class::Users))
        );
        assert_eq!(
            bucket(&Method::GET, "/api/v1/admin/audit"),
            Some(("users", Class::Users))
        );
        assert_eq!(
            bucket(&Method::GET, "/api/v1/auth/login"),
            None,
            "a 405 costs no budget"
        );
        assert_eq!(bucket(&post, "/api/v1/auth/logout"), None);
        assert_eq!(bucket(&Method::GET, "/health"), None);
        assert_eq!(bucket(&Method::GET, "/api/v1/measurements"), None);
    }
}
