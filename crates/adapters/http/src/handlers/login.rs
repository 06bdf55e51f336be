//! `POST /api/v1/auth/login`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::LoginIdentifier;
use portcullis_domain::{Email, PlainPassword, Username};
use serde::Deserialize;

use crate::client::client_info;
use crate::dto::TokenDelivery;
use crate::error::ApiError;
use crate::handlers::issued_response;
use crate::json::Json;
use crate::state::AppState;

/// Login body: `email` or `username`, and `password`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    username: Option<String>,
    password: String,
    #[serde(default)]
    token_delivery: TokenDelivery,
}

impl LoginRequest {
    fn identifier(&self) -> Result<LoginIdentifier, ApiError> {
        match (&self.email, &self.username) {
            (Some(email), None) => Email::parse(email)
                .map(LoginIdentifier::Email)
                .map_err(|e| ApiError::validation(vec![e.into()])),
            (None, Some(username)) => Username::parse(username)
                .map(LoginIdentifier::Username)
                .map_err(|e| ApiError::validation(vec![e.into()])),
            _ => Err(ApiError::invalid_field(
                "email",
                "required",
                "send exactly one of email or username",
            )),
        }
    }
}

/// Checks credentials and starts a session: 200.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let identifier = body.identifier()?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    let issued = state
        .service
        .login(
            identifier,
            PlainPassword::new_unchecked(body.password),
            &client,
        )
        .await?;
    Ok(issued_response(
        StatusCode::OK,
        &issued,
        body.token_delivery,
        &state.settings.cookies,
    ))
}
