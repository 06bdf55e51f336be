//! `POST /api/v1/auth/login`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::{LoginError, LoginIdentifier};
use portcullis_domain::{Email, PlainPassword, Username};
use serde::Deserialize;

use crate::client::client_info;
use crate::dto::TokenDelivery;
use crate::error::ApiError;
use crate::handlers::issued_response;
use crate::json::Json;
use crate::state::AppState;

/// Login body: `email` or `username`, and `password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email; send this or `username`, not both.
    #[serde(default)]
    #[schema(format = Email)]
    email: Option<String>,
    /// The account's username; send this or `email`, not both.
    #[serde(default)]
    username: Option<String>,
    /// The password.
    #[schema(format = Password)]
    password: String,
    /// `cookie` (default) or `body`.
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
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in. Tokens are in cookies, or in the body with `token_delivery: body`.", body = crate::dto::SessionResponse, headers(("Set-Cookie" = String, description = "In cookie mode: the `access_token` and `refresh_token` cookies (HttpOnly; `__Host-`/`__Secure-` prefixed in production)."))),
        (status = 401, description = "`invalid_credentials`"),
        (status = 403, description = "`email_not_verified`"),
        (status = 423, description = "`account_locked`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
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
        .await
        .map_err(|e| match e {
            // The second step answers in the delivery mode of this first one.
            LoginError::MfaRequired { mfa_token } => {
                let mode = if body.token_delivery == TokenDelivery::Body {
                    'b'
                } else {
                    'c'
                };
                ApiError::mfa_required(format!("{mode}.{mfa_token}"))
            }
            e => e.into(),
        })?;
    Ok(issued_response(
        StatusCode::OK,
        &issued,
        body.token_delivery,
        &state.settings.cookies,
    ))
}
