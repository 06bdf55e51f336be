//! `GET /`, `/health`, `/health/live`, `/.well-known/jwks.json`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// Name, version and links.
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
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Readiness: every dependency answers; 503 naming the ones that do not.
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

/// The JWK Set of the access-token verification keys.
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/json")
        .body(state.service.jwks_json())
}
