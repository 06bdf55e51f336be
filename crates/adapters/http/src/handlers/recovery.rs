//! `POST /api/v1/auth/password/forgot`, `/password/reset`, `/email/verify`,
//! `/email/resend`.
//!
//! `forgot` and `resend` answer 202 at once with the same body whatever the address,
//! and do their work in the background: the answer's content and timing reveal nothing.

use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_domain::{Email, PlainPassword};
use serde::Deserialize;
use serde_json::json;

use crate::client::client_info;
use crate::error::ApiError;
use crate::json::Json;
use crate::state::AppState;

/// `{email}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    /// The account's email.
    #[schema(format = Email)]
    email: String,
}

/// `{token, new_password}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token from the reset link.
    token: String,
    /// 8 characters to 71 bytes.
    #[schema(format = Password)]
    new_password: String,
}

/// `{token}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The token from the verification link.
    token: String,
}

fn accepted() -> HttpResponse {
    HttpResponse::Accepted().json(json!({ "status": "accepted" }))
}

/// Parses the address; a malformed one is a 400 (the format is public knowledge).
fn email(raw: &str) -> Result<Email, ApiError> {
    Email::parse(raw).map_err(|e| ApiError::validation(vec![e.into()]))
}

/// Mails a reset link if the account exists: 202 always.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password/forgot",
    operation_id = "forgot_password",
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Always the same answer, at once: a single-use reset link (1 h) is mailed when the account exists.", body = crate::openapi::schemas::Accepted, example = json!({"status": "accepted"})),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn forgot(
    state: web::Data<AppState>,
    Json(body): Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = email(&body.email)?;
    let service = state.service.clone();
    actix_web::rt::spawn(async move {
        if let Err(err) = service.forgot_password(&email).await {
            tracing::error!(error = %err, "password forgot failed in the background");
        }
    });
    Ok(accepted())
}

/// Mails a new verification link if the account exists and is unverified: 202 always.
#[utoipa::path(
    post,
    path = "/api/v1/auth/email/resend",
    operation_id = "resend_verification",
    tag = "auth",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Always the same answer, at once: a new link is mailed when the account exists and is unverified.", body = crate::openapi::schemas::Accepted, example = json!({"status": "accepted"})),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn resend(
    state: web::Data<AppState>,
    Json(body): Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = email(&body.email)?;
    let service = state.service.clone();
    actix_web::rt::spawn(async move {
        if let Err(err) = service.resend_verification(&email).await {
            tracing::error!(error = %err, "verification resend failed in the background");
        }
    });
    Ok(accepted())
}

/// Sets a new password with a reset token: 204; every session ends.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password/reset",
    operation_id = "reset_password",
    tag = "auth",
    request_body = ResetRequest,
    responses(
        (status = 204, description = "The password is set; every session of the account has ended."),
        (status = 400, description = "`invalid_reset_token`: unknown, used or expired."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .reset_password(
            &body.token,
            PlainPassword::new_unchecked(body.new_password),
            &client,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Marks the address verified: 204.
#[utoipa::path(
    post,
    path = "/api/v1/auth/email/verify",
    operation_id = "verify_email",
    tag = "auth",
    request_body = VerifyRequest,
    responses(
        (status = 204, description = "The address is verified."),
        (status = 400, description = "`invalid_verification_token`: unknown, used or expired."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<VerifyRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state.service.verify_email(&body.token, &client).await?;
    Ok(HttpResponse::NoContent().finish())
}
