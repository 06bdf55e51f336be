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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    email: String,
    password: String,
    name: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// Creates an account: 201 `{user}`.
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
pub async fn get(
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = state.service.get_user(&by, path_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(UserEnvelope::from(&user)))
}

/// One account by email (admin).
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    username: Option<Option<String>>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    current_password: Option<String>,
    #[serde(default)]
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
