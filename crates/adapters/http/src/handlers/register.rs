//! `POST /api/v1/auth/register`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::{RegisterOutcome, Registration};
use portcullis_domain::{DisplayName, Email, PlainPassword, Username};
use serde::Deserialize;

use crate::client::client_info;
use crate::dto::TokenDelivery;
use crate::error::{ApiError, FieldError};
use crate::handlers::issued_response;
use crate::json::Json;
use crate::state::AppState;

/// Sign-up body. Unknown fields (`role`, `email_verified`, `id`, ...) are refused.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The account's email (case-insensitive, stored lower-cased).
    #[schema(format = Email)]
    email: String,
    /// 8 characters to 71 bytes.
    #[schema(format = Password)]
    password: String,
    /// Display name, 1–100 characters.
    name: String,
    /// Optional, unique, `[a-z0-9_.-]{3,32}`.
    #[serde(default)]
    username: Option<String>,
    /// `cookie` (default) or `body`.
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
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in. Tokens are in cookies, or in the body with `token_delivery: body`.", body = crate::dto::SessionResponse, headers(("Set-Cookie" = String, description = "In cookie mode: the `access_token` and `refresh_token` cookies (HttpOnly; `__Host-`/`__Secure-` prefixed in production)."))),
        (status = 202, description = "With `REQUIRE_EMAIL_VERIFICATION=true`: a verification link was mailed; no session. The same answer for an address that already has an account.", body = crate::openapi::schemas::Accepted, example = json!({"status": "verification_sent"})),
        (status = 409, description = "`email_taken`, `username_taken`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let (registration, delivery) = body.parse()?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    match state.service.register(registration, &client).await? {
        RegisterOutcome::Session(issued) => Ok(issued_response(
            StatusCode::CREATED,
            &issued,
            delivery,
            &state.settings.cookies,
        )),
        RegisterOutcome::VerificationSent => {
            Ok(HttpResponse::Accepted().json(serde_json::json!({ "status": "verification_sent" })))
        }
    }
}
