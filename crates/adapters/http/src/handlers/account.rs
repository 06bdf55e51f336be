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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchMeRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, deserialize_with = "present")]
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

/// `DELETE /me` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteMeRequest {
    password: String,
}

/// The caller's account.
pub async fn get_me(
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let user = state.service.me(&principal).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// Changes name and/or username.
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
