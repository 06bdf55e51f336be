//! `/api/v1/users`: user management under the RBAC policy.

use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_core::{AccountError, AccountUpdate, NewAccount};
use portcullis_domain::ports::UserListQuery;
use portcullis_domain::{DisplayName, Email, PlainPassword, Role, UserId, Username};
use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::auth::AuthUser;
use crate::client::client_info;
use crate::cookies;
use crate::dto::{UserEnvelope, UserResponse};
use crate::error::{ApiError, FieldError, password_error};
use crate::json::Json;
use crate::query;
use crate::state::AppState;

/// A password-policy failure belongs to the `password` field here.
fn account_error(e: AccountError) -> ApiError {
    match e {
        AccountError::WeakPassword(r) => ApiError::validation(vec![password_error("password", r)]),
        e => e.into(),
    }
}

fn path_id(raw: &str) -> Result<UserId, ApiError> {
    UserId::parse(raw).ok_or_else(ApiError::not_found)
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn collect<T>(
    result: Result<T, portcullis_domain::NewUserError>,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    result.map_err(|e| errors.push(e.into())).ok()
}

/// `POST /users` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// The account's email.
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
    /// `user` (default) or `admin`.
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::schemas::RoleName>)]
    role: Option<String>,
}

/// Creates an account: 201 `{user}`.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "create_user",
    tag = "users",
    description = "Admins only.",
    request_body = CreateUserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new account.", body = crate::dto::UserEnvelope),
        (status = 403, description = "`forbidden`"),
        (status = 409, description = "`email_taken`, `username_taken`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    Json(body): Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let email = collect(Email::parse(&body.email), &mut errors);
    let name = collect(DisplayName::parse(&body.name), &mut errors);
    let username = collect(
        body.username.as_deref().map(Username::parse).transpose(),
        &mut errors,
    )
    .flatten();
    let role = collect(
        body.role.as_deref().map(Role::parse).transpose(),
        &mut errors,
    )
    .flatten();
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let new = NewAccount {
        email,
        password: PlainPassword::new_unchecked(body.password),
        name,
        username,
        role: role.unwrap_or(Role::User),
    };
    let client = client_info(&req, &state.settings.trusted_proxies);
    let user = state
        .service
        .create_user(&by, new, &client)
        .await
        .map_err(account_error)?;
    Ok(HttpResponse::Created().json(UserEnvelope::from(&user)))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    q: Option<String>,
}

/// Lists accounts: `{users, next_cursor}`.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "list_users",
    tag = "users",
    description = "Admins only.",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 20)."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
        ("q" = Option<String>, Query, max_length = 254, description = "Case-insensitive substring of email, name or username."),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "One page of accounts.", body = crate::openapi::schemas::UserList),
        (status = 400, description = "`validation_failed` (a bad `limit`, `cursor` or `q`)"),
        (status = 403, description = "`forbidden`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let params: ListParams = query::parse(req.query_string())?;
    let limit = query::limit(params.limit.as_deref())?;
    let after = params
        .cursor
        .as_deref()
        .map(query::decode_cursor)
        .transpose()?
        .map(UserId::from_uuid);
    let q = params.q.filter(|q| !q.is_empty());
    if q.as_ref()
        .is_some_and(|q| q.chars().count() > 254 || q.contains('\0'))
    {
        return Err(ApiError::invalid_field(
            "q",
            "invalid_parameter",
            "q is at most 254 characters",
        ));
    }
    let (users, next) = state
        .service
        .list_users(&by, UserListQuery { q, after, limit })
        .await?;
    let users: Vec<UserResponse> = users.iter().map(Into::into).collect();
    let next_cursor = next.map(|id| query::encode_cursor(id.as_uuid()));
    Ok(HttpResponse::Ok().json(json!({ "users": users, "next_cursor": next_cursor })))
}

/// One account: `{user}`; 404 for others' ids unless admin.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    operation_id = "get_user",
    tag = "users",
    description = "The caller's own account, or any account for admins.",
    params(("id" = String, Path, format = Uuid, description = "User id.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The account.", body = crate::dto::UserEnvelope),
        (status = 404, description = "`not_found`: unknown, or another's account for a non-admin."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = state.service.get_user(&by, path_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// One account by email (admin).
#[utoipa::path(
    get,
    path = "/api/v1/users/email/{email}",
    operation_id = "get_user_by_email",
    tag = "users",
    description = "Admins only.",
    params(("email" = String, Path, format = Email, description = "The account's email.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The account.", body = crate::dto::UserEnvelope),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn get_by_email(
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&path).map_err(|_| ApiError::not_found())?;
    let user = state.service.get_user_by_email(&by, &email).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// `PUT /users/{id}` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New display name.
    #[serde(default)]
    name: Option<String>,
    /// New email (admins only).
    #[serde(default)]
    #[schema(format = Email)]
    email: Option<String>,
    /// New username; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    username: Option<Option<String>>,
    /// New password; ends the account's other sessions.
    #[serde(default)]
    #[schema(format = Password)]
    password: Option<String>,
    /// Required with `password` when a non-admin changes their own.
    #[serde(default)]
    #[schema(format = Password)]
    current_password: Option<String>,
    /// New role (admins only).
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::schemas::RoleName>)]
    role: Option<String>,
}

impl UpdateUserRequest {
    fn parse(self) -> Result<AccountUpdate, ApiError> {
        let mut errors = Vec::new();
        let update = AccountUpdate {
            name: collect(
                self.name.as_deref().map(DisplayName::parse).transpose(),
                &mut errors,
            )
            .flatten(),
            email: collect(
                self.email.as_deref().map(Email::parse).transpose(),
                &mut errors,
            )
            .flatten(),
            username: collect(
                self.username
                    .map(|u| u.as_deref().map(Username::parse).transpose())
                    .transpose(),
                &mut errors,
            )
            .flatten(),
            password: self.password.map(PlainPassword::new_unchecked),
            current_password: self.current_password.map(PlainPassword::new_unchecked),
            role: collect(
                self.role.as_deref().map(Role::parse).transpose(),
                &mut errors,
            )
            .flatten(),
        };
        if errors.is_empty() {
            Ok(update)
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// Updates an account: `{user}`.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}",
    operation_id = "update_user",
    tag = "users",
    description = "The caller's own account, or any account for admins; `email` and `role` \
are for admins only. A password change ends the account's other sessions.",
    params(("id" = String, Path, format = Uuid, description = "User id.")),
    request_body = UpdateUserRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The updated account.", body = crate::dto::UserEnvelope),
        (status = 400, description = "`invalid_current_password`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`email_taken`, `username_taken`, `last_admin`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
    Json(body): Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let update = body.parse()?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    let user = state
        .service
        .update_user(&by, id, update, &client)
        .await
        .map_err(account_error)?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// Deletes an account: 204 (cookies cleared when it was the caller's own).
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    operation_id = "delete_user",
    tag = "users",
    description = "The caller's own account, or any account for admins.",
    params(("id" = String, Path, format = Uuid, description = "User id.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The account and its sessions are gone (cookies cleared when it was the caller's)."),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`last_admin`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    state.service.delete_user(&by, id, &client).await?;
    let mut res = HttpResponse::NoContent();
    if id == by.user_id {
        cookies::clear(&mut res, &state.settings.cookies);
    }
    Ok(res.finish())
}

/// Ends every session of an account (admin): 204.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/sessions",
    operation_id = "revoke_user_sessions",
    tag = "users",
    description = "Admins only.",
    params(("id" = String, Path, format = Uuid, description = "User id.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Every session of the account has ended."),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn revoke_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    state.service.revoke_user_sessions(&by, id, &client).await?;
    Ok(HttpResponse::NoContent().finish())
}
