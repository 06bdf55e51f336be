//! `POST /api/v1/auth/register`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::Registration;
use portcullis_domain::{DisplayName, Email, PlainPassword, Username};
use serde::Deserialize;

use crate::client::client_info;
use crate::dto::TokenDelivery;
use crate::error::{ApiError, FieldError};
use crate::handlers::issued_response;
use crate::json::Json;
use crate::state::AppState;

/// Sign-up body. Unknown fields (`role`, `email_verified`, `id`, ...) are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    email: String,
    password: String,
    name: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    token_delivery: TokenDelivery,
}

impl RegisterRequest {
    fn parse(self) -> Result<(Registration, TokenDelivery), ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.push(e.into()))
            .ok();
        let name = DisplayName::parse(&self.name)
            .map_err(|e| errors.push(e.into()))
            .ok();
        let username = match self.username.as_deref().map(Username::parse).transpose() {
            Ok(u) => u,
            Err(e) => {
                errors.push(e.into());
                None
            }
        };
        match (email, name) {
            (Some(email), Some(name)) if errors.is_empty() => Ok((
                Registration {
                    email,
                    password: PlainPassword::new_unchecked(self.password),
                    name,
                    username,
                },
                self.token_delivery,
            )),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

/// Creates an account and starts its first session: 201.
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let (registration, delivery) = body.parse()?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    let issued = state.service.register(registration, &client).await?;
    Ok(issued_response(
        StatusCode::CREATED,
        &issued,
        delivery,
        &state.settings.cookies,
    ))
}
