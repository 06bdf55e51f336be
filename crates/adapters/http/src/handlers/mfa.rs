//! TOTP: `POST /api/v1/me/mfa/totp` (enrol), `POST /api/v1/me/mfa/totp/confirm`,
//! `DELETE /api/v1/me/mfa/totp`, and `POST /api/v1/auth/mfa` (second login step).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_domain::PlainPassword;
use serde::Deserialize;
use serde_json::json;

use crate::auth::AuthUser;
use crate::client::client_info;
use crate::dto::TokenDelivery;
use crate::error::ApiError;
use crate::handlers::issued_response;
use crate::json::Json;
use crate::state::AppState;

/// `{password}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    password: String,
}

/// `{code}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    code: String,
}

/// `{mfa_token, code}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginRequest {
    mfa_token: String,
    code: String,
}

/// Starts an enrolment: `{secret, otpauth_uri}`.
#[utoipa::path(
    post,
    path = "/api/v1/me/mfa/totp",
    operation_id = "enroll_totp",
    tag = "account",
    request_body = EnrollRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The TOTP secret (base32) and its `otpauth://` URI; nothing is active until confirmed.", body = serde_json::Value, example = json!({"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "otpauth_uri": "otpauth://totp/Portcullis:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Portcullis"})),
        (status = 400, description = "`invalid_current_password`"),
        (status = 409, description = "`mfa_already_enabled`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn enroll(
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<EnrollRequest>,
) -> Result<HttpResponse, ApiError> {
    let setup = state
        .service
        .enroll_totp(&principal, PlainPassword::new_unchecked(body.password))
        .await?;
    Ok(
        HttpResponse::Ok()
            .json(json!({ "secret": setup.secret, "otpauth_uri": setup.otpauth_uri })),
    )
}

/// Activates the enrolment with a first code: `{recovery_codes}` (shown once).
#[utoipa::path(
    post,
    path = "/api/v1/me/mfa/totp/confirm",
    operation_id = "confirm_totp",
    tag = "account",
    request_body = CodeRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Active; 10 single-use recovery codes, shown once.", body = serde_json::Value, example = json!({"recovery_codes": ["0a1b2c3d4e-5f6a7b8c9d"]})),
        (status = 401, description = "`invalid_mfa_code`"),
        (status = 409, description = "`mfa_already_enabled`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    let codes = state
        .service
        .confirm_totp(&principal, &body.code, &client)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "recovery_codes": codes })))
}

/// Removes the second factor (with a code or a recovery code): 204.
#[utoipa::path(
    delete,
    path = "/api/v1/me/mfa/totp",
    operation_id = "disable_totp",
    tag = "account",
    request_body = CodeRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The second factor is removed."),
        (status = 401, description = "`invalid_mfa_code`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .disable_totp(&principal, &body.code, &client)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Finishes a login: the session, delivered as the first step asked.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa",
    operation_id = "complete_mfa",
    tag = "auth",
    request_body = MfaLoginRequest,
    responses(
        (status = 200, description = "Logged in, in the delivery mode of the login that answered `mfa_required`.", body = crate::dto::SessionResponse),
        (status = 401, description = "`invalid_mfa_code` (also for an unknown, used, expired or other-device mfa_token)"),
        (status = 423, description = "`account_locked`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn complete(
    req: HttpRequest,
    state: web::Data<AppState>,
    Json(body): Json<MfaLoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let (delivery, token) = match body.mfa_token.split_once('.') {
        Some(("b", token)) => (TokenDelivery::Body, token),
        Some(("c", token)) => (TokenDelivery::Cookie, token),
        _ => return Err(ApiError::invalid_mfa_code()),
    };
    let client = client_info(&req, &state.settings.trusted_proxies);
    let issued = state
        .service
        .complete_mfa(token, &body.code, &client)
        .await?;
    Ok(issued_response(
        StatusCode::OK,
        &issued,
        delivery,
        &state.settings.cookies,
    ))
}
