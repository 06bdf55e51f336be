//! Cross-cutting request handling: request id and access log, security headers,
//! TRACE refusal, and the CSRF origin check of SPEC §3.

use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use portcullis_core::Principal;
use tracing::Instrument as _;

use crate::error::ApiError;
use crate::state::AppState;

/// The target of the per-request span. Log lines never print spans, so the log filter
/// turns this target off: the span (and its route matching) then costs nothing unless
/// traces are exported.
pub const REQUEST_SPAN_TARGET: &str = "portcullis::request";

/// The request id of the current request (echoed or generated).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn valid_request_id(v: &str) -> bool {
    (1..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Assigns the request id (echoing a well-formed `X-Request-Id`), sets it on the
/// response, runs the request inside its span (the trace's root, or a child of the
/// caller's W3C `traceparent` when traces are exported), and writes one access-log
/// line per request. The span carries the matched route, never the path or query
/// (OAuth callbacks carry codes there).
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map_or_else(
            || uuid::Uuid::new_v4().simple().to_string(),
            ToOwned::to_owned,
        );
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let span = tracing::info_span!(
        target: REQUEST_SPAN_TARGET,
        "HTTP request",
        otel.name = tracing::field::Empty,
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        request_id = %id,
    );
    if !span.is_disabled() {
        // Only when someone listens: matching walks the routing table. The name must be
        // set before the span starts (it is fixed once exported spans begin).
        let route = req.match_pattern();
        let route = route.as_deref().unwrap_or("<unmatched>");
        span.record("otel.name", format!("{method} {route}"));
        span.record("http.route", route);
        crate::trace_context::adopt_remote_parent(&span, req.headers());
    }
    let mut res = next.call(req).instrument(span.clone()).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let user_id = res
        .request()
        .extensions()
        .get::<Principal>()
        .map(|p| p.user_id.to_string());
    let status = res.status().as_u16();
    if !span.is_disabled() {
        span.record("http.response.status_code", status);
        if res.status().is_server_error() {
            span.record("otel.status_code", "ERROR");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!(
        "portcullis_http_requests_total",
        "method" => method.to_string(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "portcullis_http_request_duration_seconds",
        "method" => method.to_string(),
        "route" => route.clone()
    )
    .record(elapsed);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed * 1000.0,
        user_id = user_id.as_deref().unwrap_or("-"),
        "request"
    );
    Ok(res)
}

/// CORS per SPEC §3: the exact origins of the allow-list, credentials allowed, never
/// `*`, `Vary: Origin`. A request from another origin gets no CORS headers (the
/// browser then refuses to hand the answer to the page) and is otherwise served, so
/// the CSRF check can answer it precisely.
pub fn cors(allowed_origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            "x-request-id",
            "retry-after",
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "ratelimit",
            "ratelimit-policy",
        ])
        .supports_credentials()
        .block_on_origin_mismatch(false)
        .max_age(600);
    for origin in allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// Security headers on every response, errors included (SPEC §3).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let hsts = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.hsts);
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.call(req).await?;
    if preflight && res.status() == StatusCode::OK {
        // actix-cors answers an accepted preflight 200 with no body; SPEC §3 says 204.
        *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
    }
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if h.get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json")
    {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    h.remove(header::SERVER);
    Ok(res)
}

/// Refuses TRACE everywhere and applies the CSRF origin check to state-changing
/// requests that carry auth cookies and no Bearer token.
pub async fn request_guard<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    if req.method() == Method::TRACE {
        let res =
            ApiError::method_not_allowed(&["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
                .error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    if let Some(state) = req.app_data::<web::Data<AppState>>()
        && csrf_refused(&req, state)
    {
        tracing::warn!(
            origin = req
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-"),
            "cross-site cookie request refused"
        );
        return Ok(req
            .into_response(ApiError::csrf().error_response())
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn csrf_refused(req: &ServiceRequest, state: &AppState) -> bool {
    let state_changing = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !state_changing {
        return false;
    }
    let cookies = &state.settings.cookies;
    let has_auth_cookie =
        req.cookie(cookies.access_name()).is_some() || req.cookie(cookies.refresh_name()).is_some();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if !has_auth_cookie || bearer {
        return false;
    }
    let header_text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or("\u{0}"))
    };
    if header_text(header::HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|v| v.eq_ignore_ascii_case("cross-site"))
    {
        return true;
    }
    let origin = match (header_text(header::ORIGIN), header_text(header::REFERER)) {
        (Some(origin), _) => Some(normalize_origin(origin)),
        (None, Some(referer)) => Some(normalize_origin(referer)),
        (None, None) => None,
    };
    match origin {
        None => false,
        Some(None) => true,
        Some(Some(origin)) => !state.settings.allowed_origins.contains(&origin),
    }
}

/// `scheme://host[:port]` of an origin or URL, lower-cased, default port elided;
/// `None` for `null` and anything that is not an http(s) URL.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let (scheme, rest) = raw.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains(['@', '\\', ' ']) {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_normalize_exactly() {
        assert_eq!(
            normalize_origin("https://App.example.com"),
            Some("https://app.example.com".into())
        );
        assert_eq!(
            normalize_origin("https://app.example.com:443/x?y"),
            Some("https://app.example.com".into())
        );
        assert_eq!(
            normalize_origin("http://localhost:3000/page"),
            Some("http://localhost:3000".into())
        );
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("javascript:alert(1)"), None);
        assert_eq!(normalize_origin("https://user@evil.com"), None);
    }

    #[test]
    fn request_ids_are_validated() {
        assert!(valid_request_id("abc-123_X.y"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id(&"a".repeat(129)));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id("a\r\nx"));
    }
}
