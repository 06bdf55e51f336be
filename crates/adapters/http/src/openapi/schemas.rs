//! Schemas of answers that handlers build with `json!` rather than a DTO, and enums
//! whose values come from the domain. Documentation only: nothing serializes these.

use std::borrow::Cow;
use std::collections::BTreeMap;

use portcullis_domain::{AuditEventType, Role};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::dto::UserResponse;

/// A string enum schema.
fn string_enum(values: impl IntoIterator<Item = &'static str>, doc: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(doc))
        .into()
}

/// `role`: the values of the domain's `Role`.
#[derive(Debug)]
pub struct RoleName;

impl PartialSchema for RoleName {
    fn schema() -> RefOr<Schema> {
        string_enum(
            [Role::User, Role::Admin].iter().map(Role::as_str),
            "What the account may do.",
        )
    }
}

impl ToSchema for RoleName {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Role")
    }
}

/// An audit event `type`: the values of the domain's `AuditEventType`.
#[derive(Debug)]
pub struct AuditEventKind;

impl PartialSchema for AuditEventKind {
    fn schema() -> RefOr<Schema> {
        string_enum(
            AuditEventType::ALL.iter().map(AuditEventType::as_str),
            "What happened.",
        )
    }
}

impl ToSchema for AuditEventKind {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AuditEventType")
    }
}

/// `GET /api/v1/users`: one page of accounts.
#[derive(Debug, ToSchema)]
pub struct UserList {
    /// Accounts, ordered by id.
    pub users: Vec<UserResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One security event.
#[derive(Debug, ToSchema)]
pub struct AuditEvent {
    /// Event id.
    #[schema(format = Uuid)]
    pub id: String,
    /// What happened.
    #[schema(rename = "type")]
    pub kind: AuditEventKind,
    /// When (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// The account concerned.
    #[schema(format = Uuid)]
    pub user_id: Option<String>,
    /// Who did it, when not the account itself (an admin).
    #[schema(format = Uuid)]
    pub actor_id: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client User-Agent.
    pub user_agent: Option<String>,
    /// Event-specific facts (never a secret).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// `GET /api/v1/admin/audit`: one page of events, newest first.
#[derive(Debug, ToSchema)]
pub struct AuditEventList {
    /// Events, newest first.
    pub events: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /`: what this service is.
#[derive(Debug, ToSchema)]
pub struct ServiceIndex {
    /// `portcullis`.
    #[schema(example = "portcullis")]
    pub name: String,
    /// The server's version.
    #[schema(example = "0.1.0")]
    pub version: String,
    /// Where to go next.
    #[schema(value_type = Object, example = json!({"api": "/api/v1", "health": "/health", "jwks": "/.well-known/jwks.json"}))]
    pub links: BTreeMap<String, String>,
}

/// `GET /health/live`.
#[derive(Debug, ToSchema)]
pub struct Liveness {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
}

/// `GET /health`: readiness, with each dependency's state.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"status": "ok", "checks": {"database": "ok", "redis": "in_process"}}))]
pub struct Readiness {
    /// `ok`, or `unavailable` when a check failed.
    pub status: String,
    /// Each check by name: `ok`, `in_process` (an embedded store) or `unavailable`.
    pub checks: BTreeMap<String, String>,
}

/// `GET /.well-known/jwks.json`: RFC 7517 JWK Set of the access-token verification keys
/// (empty with HS256).
#[derive(Debug, ToSchema)]
pub struct JwkSet {
    /// Current and previous public keys; `kid` is the RFC 7638 thumbprint.
    #[schema(value_type = Vec<Object>)]
    pub keys: Vec<serde_json::Value>,
}

/// A 202 answer: the request was taken; what follows happens out of band (a mail).
#[derive(Debug, ToSchema)]
pub struct Accepted {
    /// What was done, e.g. `verification_sent` or `accepted`.
    pub status: String,
}
