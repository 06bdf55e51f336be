//! `GET /api/v1/admin/audit`.

use actix_web::{HttpRequest, HttpResponse, web};
use portcullis_domain::{AuditEventType, AuditFilter, AuditId, UserId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::AuthUser;
use crate::dto::rfc3339;
use crate::error::ApiError;
use crate::query;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
struct AuditParams {
    user_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// Security events, newest first: `{events, next_cursor}`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    operation_id = "list_audit_events",
    tag = "admin",
    description = "Admins only.",
    params(
        ("user_id" = Option<String>, Query, format = Uuid, description = "Only events about this account."),
        ("type" = Option<crate::openapi::schemas::AuditEventKind>, Query, description = "Only events of this type."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 20)."),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page."),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "One page of events, newest first.", body = crate::openapi::schemas::AuditEventList),
        (status = 400, description = "`validation_failed` (a bad parameter)"),
        (status = 403, description = "`forbidden`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(by): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let params: AuditParams = query::parse(req.query_string())?;
    let user_id = params
        .user_id
        .as_deref()
        .map(|raw| {
            UserId::parse(raw).ok_or_else(|| {
                ApiError::invalid_field("user_id", "invalid_parameter", "not a user id")
            })
        })
        .transpose()?;
    let kind = params
        .kind
        .as_deref()
        .map(|raw| {
            AuditEventType::parse(raw).ok_or_else(|| {
                ApiError::invalid_field("type", "invalid_parameter", "unknown event type")
            })
        })
        .transpose()?;
    let filter = AuditFilter {
        user_id,
        kind,
        before: params
            .cursor
            .as_deref()
            .map(query::decode_cursor)
            .transpose()?
            .map(AuditId),
        limit: query::limit(params.limit.as_deref())?,
    };
    let (events, next) = state.service.list_audit(&by, filter).await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "id": e.id.0.to_string(),
                "type": e.kind.as_str(),
                "at": rfc3339(e.at),
                "user_id": e.user_id.map(|u| u.to_string()),
                "actor_id": e.actor_id.map(|u| u.to_string()),
                "ip": e.ip.map(|ip| ip.to_string()),
                "user_agent": e.user_agent,
                "details": serde_json::from_str::<Value>(&e.details).unwrap_or_else(|_| json!({})),
            })
        })
        .collect();
    let next_cursor = next.map(|id| query::encode_cursor(id.0));
    Ok(HttpResponse::Ok().json(json!({ "events": events, "next_cursor": next_cursor })))
}
