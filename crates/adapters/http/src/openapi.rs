//! The OpenAPI 3.1 document, generated from the code: each handler carries a
//! `#[utoipa::path]` with its method, path, parameters, body and answers, and is listed
//! in [`ApiDoc`]'s `paths(...)`. Served at `GET /openapi.json`, rendered at `GET /docs`.
//!
//! Error answers are declared on a handler by status with their stable codes in
//! backticks, e.g. `(status = 409, description = "`email_taken`, `username_taken`")`,
//! optionally followed by `:` or `(` and a note for readers;
//! [`responses::ProblemResponses`] turns each into a problem+json response whose `code` is
//! restricted to those codes, and adds the answers every endpoint of a kind can give
//! (a JSON body: 400/413/415; an access token: 401; a state change: 403 CSRF; `/api/v1`:
//! 500/503). The coverage test (`tests/openapi.rs`) fails when a route has no
//! operation here, or an operation no route.

pub mod problem;
pub mod responses;
pub mod schemas;

use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Required};
use utoipa::{Modify, OpenApi};

use self::responses::ProblemResponses;

use crate::handlers::{
    account, audit, docs, login, mfa, oauth, recovery, register, session, sessions, system, users,
};

/// Security scheme: `Authorization: Bearer <access token>`.
pub const BEARER: &str = "bearer";
/// Security scheme: the access-token cookie.
pub const COOKIE: &str = "cookie";
/// Security scheme: the refresh-token cookie (refresh and logout only).
pub const REFRESH_COOKIE: &str = "refresh_cookie";
/// Security scheme: the static `METRICS_TOKEN` of `GET /metrics`.
pub const METRICS_TOKEN: &str = "metrics_token";

/// The policy of `/docs` and its assets, the narrowest that lets Swagger UI work
/// (checked in headless Chromium with violation reports: rendering, expanding
/// operations and models, "Try it out", the Authorize dialog): scripts and styles
/// from this origin only, no inline script or style (Swagger UI styles elements through
/// the CSSOM, which CSP does not restrict); images from this origin and `data:` (the
/// SVG arrows of its `<select>`s); fetches (the document, "Try it out") to this origin;
/// nothing may frame the page, receive its forms or plant a `<base>`.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
frame-ancestors 'none'";

/// The document's root: every documented operation, the shared schemas, the tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis",
        description = "Self-hosted authentication: accounts, login, sessions and roles over an \
HTTP JSON API.\n\n\
Browsers authenticate with the HttpOnly `access_token` cookie (`__Host-access_token` when \
`APP_ENV=production`); native apps and services with `Authorization: Bearer <access token>`. \
Login and register answer with cookies unless the body asks for `\"token_delivery\": \"body\"`.\n\n\
Every error is RFC 9457 `application/problem+json` with a stable `code` (schema `Problem`). \
Request bodies are `application/json` only (else 415), at most 16 KiB (else 413), and unknown \
fields are refused (400 `validation_failed`). A wrong method answers 405 \
`method_not_allowed` with `Allow`. Rate-limited endpoints carry `RateLimit-Policy`, \
`RateLimit` and `X-RateLimit-*` headers and answer 429 `rate_limited` with `Retry-After`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        system::index,
        system::live,
        system::ready,
        system::metrics,
        system::jwks,
        docs::openapi_json,
        docs::page,
        docs::asset,
        register::register,
        login::login,
        session::refresh,
        session::logout,
        session::logout_all,
        recovery::forgot,
        recovery::reset,
        recovery::verify,
        recovery::resend,
        mfa::complete,
        mfa::enroll,
        mfa::confirm,
        mfa::disable,
        oauth::start,
        oauth::callback,
        sessions::list,
        sessions::revoke,
        account::get_me,
        account::patch_me,
        account::delete_me,
        account::change_password,
        oauth::list_identities,
        oauth::unlink_identity,
        users::list,
        users::create,
        users::get_by_email,
        users::get,
        users::update,
        users::delete,
        users::revoke_sessions,
        audit::list,
    ),
    components(schemas(problem::Problem, problem::ErrorCode, crate::error::FieldError)),
    tags(
        (name = "auth", description = "Sign-up, login, token refresh and logout."),
        (name = "sessions", description = "The caller's signed-in devices."),
        (name = "account", description = "The caller's own account."),
        (name = "users", description = "Account management under the role policy."),
        (name = "admin", description = "Administration: the security audit log."),
        (name = "system", description = "Service information, probes, metrics and keys."),
        (name = "docs", description = "This document and its reference page."),
    ),
    modifiers(&SecuritySchemes, &OptionalBodies, &ProblemResponses),
)]
pub struct ApiDoc;

/// The complete document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Registers the security schemes the operations refer to.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token (a short-lived JWT) from login, register, refresh or \
                         the MFA step, delivered in the body with `token_delivery: body`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "access_token",
                "The HttpOnly access-token cookie set by login, register and refresh. Named \
                 `__Host-access_token` when `APP_ENV=production`. State-changing requests \
                 that carry it must come from an allowed origin (403 `csrf_origin_mismatch`).",
            ))),
        );
        components.add_security_scheme(
            REFRESH_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "refresh_token",
                "The HttpOnly refresh-token cookie (Path=/api/v1/auth). Named \
                 `__Secure-refresh_token` when `APP_ENV=production`.",
            ))),
        );
        components.add_security_scheme(
            METRICS_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The static `METRICS_TOKEN`, required by `GET /metrics` when it is set.",
                    ))
                    .build(),
            ),
        );
    }
}

/// An optional body (`OptionalJson`) is absent, never `null`: `Option<T>` in a
/// `request_body` makes utoipa write `oneOf: [T, null]`; keep `T`, not required.
struct OptionalBodies;

impl Modify for OptionalBodies {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                    continue;
                };
                if body.required == Some(Required::True) {
                    continue;
                }
                for content in body.content.values_mut() {
                    let RefOr::T(content) = content else {
                        continue;
                    };
                    if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema {
                        let mut kept = one_of.items.iter().filter(|s| !is_null(s));
                        if let (Some(only), None) = (kept.next(), kept.next()) {
                            content.schema = Some(only.clone());
                        }
                    }
                }
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    serde_json::to_value(schema).is_ok_and(|v| v == serde_json::json!({ "type": "null" }))
}
