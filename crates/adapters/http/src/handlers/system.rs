//! `GET /`, `/health`, `/health/live`, `/metrics`, `/.well-known/jwks.json`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::{AppState, MetricsEndpoint};

/// Name, version and links.
#[utoipa::path(
    get,
    path = "/",
    operation_id = "service_index",
    tag = "system",
    responses((status = 200, description = "Name, version and links.", body = crate::openapi::schemas::ServiceIndex)),
)]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "name": "portcullis",
        "version": env!("CARGO_PKG_VERSION"),
        "links": {
            "api": "/api/v1",
            "health": "/health",
            "jwks": "/.well-known/jwks.json",
        }
    }))
}

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/health/live",
    operation_id = "liveness",
    tag = "system",
    responses((status = 200, description = "The process answers.", body = crate::openapi::schemas::Liveness)),
)]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness: every dependency answers; 503 naming the ones that do not.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "readiness",
    tag = "system",
    responses(
        (status = 200, description = "Every dependency answers.", body = crate::openapi::schemas::Readiness),
        (status = 503, description = "A dependency does not answer; `checks` names it.", body = crate::openapi::schemas::Readiness),
    ),
)]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let results = futures_util::future::join_all(state.health.iter().map(|check| {
        let run = check.run.clone();
        async move { (check.name, run().await) }
    }))
    .await;
    let mut checks = Map::new();
    let mut healthy = true;
    for (name, result) in results {
        match result {
            Ok(status) => checks.insert(name.to_owned(), Value::from(status)),
            Err(reason) => {
                tracing::warn!(check = name, reason = %reason, "readiness check failed");
                healthy = false;
                checks.insert(name.to_owned(), Value::from("unavailable"))
            }
        };
    }
    let body = json!({ "status": if healthy { "ok" } else { "unavailable" }, "checks": checks });
    if healthy {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus metrics; with `METRICS_TOKEN` set, only for that Bearer token.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "system",
    description = "Prometheus text exposition; metric names start with `portcullis_`. With \
`METRICS_TOKEN` set, only for that Bearer token.",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`unauthenticated`, `invalid_token`"),
        (status = 404, description = "`not_found`: metrics are off, or served on `METRICS_ADDR`."),
    ),
)]
pub async fn metrics(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(endpoint) = &state.metrics else {
        return Err(ApiError::not_found());
    };
    render_metrics(&req, endpoint)
}

/// `GET /metrics` on the separate `METRICS_ADDR` listener ([`crate::metrics_app`]): the
/// same answer, token check included.
pub async fn metrics_only(
    req: actix_web::HttpRequest,
    endpoint: web::Data<MetricsEndpoint>,
) -> Result<HttpResponse, ApiError> {
    render_metrics(&req, &endpoint)
}

fn render_metrics(
    req: &actix_web::HttpRequest,
    endpoint: &MetricsEndpoint,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &endpoint.token {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(if presented.is_empty() {
                ApiError::unauthenticated()
            } else {
                ApiError::invalid_token()
            });
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body((endpoint.render)()))
}

/// The JWK Set of the access-token verification keys.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "system",
    responses((status = 200, description = "The access-token verification keys (an empty set with HS256).", body = crate::openapi::schemas::JwkSet)),
)]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/json")
        .body(state.service.jwks_json())
}
