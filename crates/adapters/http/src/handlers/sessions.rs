//! `GET /api/v1/auth/sessions` and `DELETE /api/v1/auth/sessions/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_domain::SessionId;

use crate::auth::AuthUser;
use crate::client::client_info;
use crate::dto::SessionList;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller's active sessions, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/auth/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The caller's active sessions, newest first.", body = crate::dto::SessionList),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let views = state.service.list_sessions(&principal).await?;
    Ok(HttpResponse::Ok().json(SessionList {
        sessions: views.iter().map(Into::into).collect(),
    }))
}

/// Revokes one of the caller's sessions: 204, or 404 when it is not theirs.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/{id}",
    operation_id = "revoke_session",
    tag = "sessions",
    params(("id" = String, Path, format = Uuid, description = "Session id.")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The session has ended."),
        (status = 404, description = "`not_found`: not an active session of the caller (never 403: that would leak its existence)."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = SessionId::parse(&path.into_inner()).ok_or_else(ApiError::not_found)?;
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .revoke_session(&principal, id, &client)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
