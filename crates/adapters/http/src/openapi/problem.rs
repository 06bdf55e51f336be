//! The `Problem` schema (RFC 9457) and the stable codes of SPEC §4.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// Media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One stable error code: its status and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The `code` member.
    pub code: &'static str,
    /// The HTTP status it always comes with.
    pub status: u16,
    /// When it is answered.
    pub meaning: &'static str,
}

const fn code(code: &'static str, status: u16, meaning: &'static str) -> Code {
    Code {
        code,
        status,
        meaning,
    }
}

/// Every stable `code` (SPEC §4), the single list the `ErrorCode` schema is built from.
pub const CODES: &[Code] = &[
    code(
        "malformed_json",
        400,
        "The request body is not JSON at all.",
    ),
    code(
        "validation_failed",
        400,
        "Well-formed JSON or parameters of the wrong shape or with a bad value (unknown \
         field, wrong type, too deep, NUL, lone surrogate, limit out of 1–100); `errors[]` \
         names each field.",
    ),
    code(
        "invalid_current_password",
        400,
        "The current password is missing or not correct.",
    ),
    code(
        "invalid_reset_token",
        400,
        "The password-reset token is unknown, used or expired.",
    ),
    code(
        "invalid_verification_token",
        400,
        "The email-verification token is unknown, used or expired.",
    ),
    code(
        "invalid_oauth_state",
        400,
        "The OAuth `state` is missing, forged, replayed, expired or not this browser's.",
    ),
    code(
        "invalid_redirect",
        400,
        "`redirect_to` is not on the OAuth redirect allow-list.",
    ),
    code(
        "unauthenticated",
        401,
        "No access token at all (`WWW-Authenticate: Bearer`).",
    ),
    code(
        "invalid_credentials",
        401,
        "The email, username or password is not correct (the same answer whether the \
         account exists or not).",
    ),
    code(
        "invalid_token",
        401,
        "The token is invalid, expired, revoked or of a deleted account: one answer for \
         every cause (`WWW-Authenticate: Bearer error=\"invalid_token\"`).",
    ),
    code(
        "refresh_token_reused",
        401,
        "A used refresh token was presented again: the whole session was revoked.",
    ),
    code(
        "device_mismatch",
        401,
        "The refresh token was presented from another device: the session was revoked.",
    ),
    code(
        "mfa_required",
        401,
        "The password was right; finish with `POST /api/v1/auth/mfa` and the `mfa_token`.",
    ),
    code("invalid_mfa_code", 401, "The one-time code is not correct."),
    code(
        "mfa_already_enabled",
        409,
        "A second factor is already enabled; remove it first.",
    ),
    code("forbidden", 403, "The caller may not do this."),
    code(
        "csrf_origin_mismatch",
        403,
        "A state-changing request with auth cookies came from an origin that is not allowed.",
    ),
    code(
        "email_not_verified",
        403,
        "Login before the email address is verified, while verification is required.",
    ),
    code(
        "not_found",
        404,
        "Nothing here, or nothing the caller may know of.",
    ),
    code(
        "method_not_allowed",
        405,
        "The path exists; the method does not (`Allow` lists those that do).",
    ),
    code(
        "email_taken",
        409,
        "An account with this email already exists.",
    ),
    code("username_taken", 409, "This username is taken."),
    code(
        "last_login_method",
        409,
        "Unlinking this provider would leave the account without a way to sign in (no \
         password, no other provider).",
    ),
    code(
        "last_admin",
        409,
        "The change would leave the service without an admin.",
    ),
    code("payload_too_large", 413, "The request body exceeds 16 KiB."),
    code(
        "unsupported_media_type",
        415,
        "The request body is not `application/json`.",
    ),
    code(
        "account_locked",
        423,
        "Too many failed logins on this account; retry after `Retry-After` seconds.",
    ),
    code(
        "rate_limited",
        429,
        "Too many requests; retry after `Retry-After` seconds.",
    ),
    code(
        "internal_error",
        500,
        "Something went wrong on the server; quote `X-Request-Id`.",
    ),
    code(
        "service_unavailable",
        503,
        "A dependency (database, Redis) is unavailable; retry later.",
    ),
];

/// The entry for a code.
pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// Schema of the `code` member: a string enumerating [`CODES`].
#[derive(Debug)]
pub struct ErrorCode;

impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CODES.iter().map(|c| c.code)))
            .description(Some("Stable, machine-readable error code (SPEC §4)."))
            .into()
    }
}

impl ToSchema for ErrorCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }
}

/// RFC 9457 problem details: the body of every error answer.
/// A schema only: `error.rs` serializes the real body.
#[derive(Debug, ToSchema)]
pub struct Problem {
    /// `urn:portcullis:problem:<code>`.
    #[schema(rename = "type", example = "urn:portcullis:problem:invalid_token")]
    pub kind: String,
    /// The status's reason phrase.
    #[schema(example = "Unauthorized")]
    pub title: String,
    /// The HTTP status.
    #[schema(example = 401)]
    pub status: u16,
    /// A short human explanation; never a cause chain, SQL or type name.
    #[schema(example = "The token is invalid or expired.")]
    pub detail: String,
    /// The stable code.
    pub code: ErrorCode,
    /// Per-field problems, on `validation_failed` only.
    #[schema(required = false)]
    pub errors: Vec<crate::error::FieldError>,
}
