//! `plain` and `verify`: the HTTP stack alone, and the stack plus JWT verification.

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// What a body of `/me` roughly weighs: a user with an id, an email and a name.
const PLAIN_BODY: &str = r#"{"user":{"id":"0190b3c4-0000-7000-8000-000000000000","email":"bench@example.com","name":"Bench"}}"#;

pub async fn serve_plain(addr: (&str, u16)) -> anyhow::Result<()> {
    HttpServer::new(|| {
        App::new()
            .route("/health", web::get().to(health))
            .default_service(web::to(plain))
    })
    .bind(addr)?
    .run()
    .await?;
    Ok(())
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().finish()
}

async fn plain() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(PLAIN_BODY)
}

struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

pub async fn serve_verify(
    addr: (&str, u16),
    secret: &str,
    issuer: &str,
    audience: &str,
) -> anyhow::Result<()> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.leeway = 30;
    let verifier = web::Data::new(Verifier {
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation,
    });
    HttpServer::new(move || {
        App::new()
            .app_data(verifier.clone())
            .route("/health", web::get().to(health))
            .default_service(web::to(verify))
    })
    .bind(addr)?
    .run()
    .await?;
    Ok(())
}

async fn verify(req: HttpRequest, verifier: web::Data<Verifier>) -> HttpResponse {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return HttpResponse::Unauthorized().finish();
    };
    match jsonwebtoken::decode::<Claims>(token, &verifier.key, &verifier.validation) {
        Ok(data) => HttpResponse::Ok().json(serde_json::json!({
            "user": { "id": data.claims.sub, "email": "bench@example.com", "name": "Bench" }
        })),
        Err(_) => HttpResponse::Unauthorized().finish(),
    }
}
