//! `/api/v1/me`: read, edit, change password, delete.

use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::ProfilePatch;
use portcullis_domain::{DisplayName, PlainPassword, Username};
use serde::{Deserialize, Deserializer};

use crate::auth::AuthUser;
use crate::client::client_info;
use crate::cookies;
use crate::dto::UserEnvelope;
use crate::error::{ApiError, FieldError};
use crate::json::Json;
use crate::state::AppState;

/// `PATCH /me` body. `username: null` removes the username.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMeRequest {
    /// New display name, 1–100 characters.
    #[serde(default)]
    name: Option<String>,
    /// New username; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    username: Option<Option<String>>,
}

/// Tells "absent" (`None`, via `default`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl PatchMeRequest {
    fn parse(self) -> Result<ProfilePatch, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut patch = ProfilePatch::default();
        match self.name.as_deref().map(DisplayName::parse).transpose() {
            Ok(name) => patch.name = name,
            Err(e) => errors.push(e.into()),
        }
        match self
            .username
            .map(|u| u.as_deref().map(Username::parse).transpose())
            .transpose()
        {
            Ok(username) => patch.username = username,
            Err(e) => errors.push(e.into()),
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// `PUT /me/password` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use.
    #[schema(format = Password)]
    current_password: String,
    /// 8 characters to 71 bytes.
    #[schema(format = Password)]
    new_password: String,
}

/// `DELETE /me` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteMeRequest {
    /// The account's password, as confirmation.
    #[schema(format = Password)]
    password: String,
}

/// The caller's account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The caller's account.", body = crate::dto::UserEnvelope),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn get_me(
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user = state.service.me(&principal).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// Changes name and/or username.
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "account",
    request_body = PatchMeRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The updated account.", body = crate::dto::UserEnvelope),
        (status = 409, description = "`username_taken`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn patch_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<PatchMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.parse()?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    let user = state.service.update_me(&principal, patch, &client).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// Changes the password and ends the other sessions: 204.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    tag = "account",
    request_body = ChangePasswordRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Changed; every other session of the account has ended."),
        (status = 400, description = "`invalid_current_password`, `validation_failed` (a weak new password)"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .change_password(
            &principal,
            PlainPassword::new_unchecked(body.current_password),
            PlainPassword::new_unchecked(body.new_password),
            &client,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes the account and every session, clears the cookies: 204.
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    tag = "account",
    request_body = DeleteMeRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The account and all its sessions are gone; the cookies are cleared."),
        (status = 400, description = "`invalid_current_password`"),
        (status = 409, description = "`last_admin`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn delete_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    Json(body): Json<DeleteMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .delete_account(
            &principal,
            PlainPassword::new_unchecked(body.password),
            &client,
        )
        .await?;
    let mut res = HttpResponse::NoContent();
    cookies::clear(&mut res, &state.settings.cookies);
    Ok(res.finish())
}
