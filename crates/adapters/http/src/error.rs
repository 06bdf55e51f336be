//! Problem details (RFC 9457) for every error, mapped once from the use-case errors.
//!
//! Policy: a client sees a stable `code` and a short human `detail`, never a cause
//! chain, SQL, driver text or type name; 5xx answers say only `internal_error` /
//! `service_unavailable` and the cause chain goes to the log with the request id.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use portcullis_core::{
    AccountError, AuthError, Failure, LoginError, MfaError, RecoveryError, RefreshError,
    RegisterError, SessionError,
};
use portcullis_domain::{NewUserError, PasswordRejection};
use serde::Serialize;

/// `WWW-Authenticate` for a request that carried no access token (RFC 6750 §3.1).
const BEARER: &str = "Bearer";
/// `WWW-Authenticate` for a bad access token.
const BEARER_INVALID: &str = r#"Bearer error="invalid_token""#;

/// One field's problem in a `validation_failed` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field (`email`, `password`, ...).
    pub field: String,
    /// Stable code (`invalid_email`, `password_too_short`, ...).
    pub code: String,
    /// Human explanation.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<NewUserError> for FieldError {
    fn from(e: NewUserError) -> Self {
        Self::new(e.field(), e.code(), e.to_string())
    }
}

/// A password policy failure on a named field.
pub fn password_error(field: &str, rejection: PasswordRejection) -> FieldError {
    FieldError::new(field, rejection.code(), rejection.to_string())
}

/// An error answer. Build it with the constructors; it renders itself. Boxed so a
/// `Result<_, ApiError>` stays one pointer wide.
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
    www_authenticate: Option<&'static str>,
    allow: Option<String>,
    mfa_token: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self(Box::new(Details {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            www_authenticate: None,
            allow: None,
            mfa_token: None,
        }))
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// 400 `malformed_json`.
    pub fn malformed_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "The request body is not valid JSON.",
        )
    }

    /// 400 `validation_failed` with field errors.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "The request is not valid.",
        );
        e.0.errors = errors;
        e
    }

    /// 400 `validation_failed` on one field.
    pub fn invalid_field(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    /// 400 `invalid_current_password`.
    pub fn invalid_current_password() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_current_password",
            "The current password is not correct.",
        )
    }

    /// 400 `invalid_oauth_state`: the same answer for every state failure.
    pub fn invalid_oauth_state() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_oauth_state",
            "This sign-in link is invalid, used, expired or was started in another browser.",
        )
    }

    /// 400 `invalid_redirect`.
    pub fn invalid_redirect() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_redirect",
            "redirect_to must be an absolute URL on an allowed origin.",
        )
    }

    /// 401 `unauthenticated`: no credentials at all.
    pub fn unauthenticated() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication is required.",
        );
        e.0.www_authenticate = Some(BEARER);
        e
    }

    /// 401 `invalid_token`: the same answer for every bad token.
    pub fn invalid_token() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The token is invalid or expired.",
        );
        e.0.www_authenticate = Some(BEARER_INVALID);
        e
    }

    /// 401 `invalid_credentials`: byte-identical whatever the cause.
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The email, username or password is not correct.",
        )
    }

    /// 401 `mfa_required`, carrying the token for `POST /auth/mfa`.
    pub fn mfa_required(mfa_token: String) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "mfa_required",
            "A second factor is required: send the code with this mfa_token to /api/v1/auth/mfa.",
        );
        e.0.mfa_token = Some(mfa_token);
        e
    }

    /// 401 `invalid_mfa_code` (also for an unknown, used or expired mfa_token).
    pub fn invalid_mfa_code() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_mfa_code",
            "The code or the mfa_token is not valid.",
        )
    }

    /// 403 `forbidden`.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "You may not do this.")
    }

    /// 403 `csrf_origin_mismatch`.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_origin_mismatch",
            "The request's origin is not allowed to use these cookies.",
        )
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Nothing here.")
    }

    /// 405 `method_not_allowed` with `Allow`.
    pub fn method_not_allowed(allow: &[&str]) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This method is not allowed here.",
        );
        e.0.allow = Some(allow.join(", "));
        e
    }

    /// 409 with a conflict code.
    pub fn conflict(code: &'static str, detail: &str) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body exceeds {limit} bytes."),
        )
    }

    /// 415 `unsupported_media_type`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The request body must be application/json.",
        )
    }

    /// 423 `account_locked` with `Retry-After`.
    pub fn account_locked(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::LOCKED,
            "account_locked",
            "Too many failed logins. Try again later.",
        );
        e.0.retry_after = Some(retry_after.max(1));
        e
    }

    /// 429 `rate_limited` with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests. Try again later.",
        );
        e.0.retry_after = Some(retry_after.max(1));
        e
    }

    /// 503 `service_unavailable`; the cause goes to the log only.
    pub fn unavailable(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %chain(cause), "dependency unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable.",
        )
    }

    /// 500 `internal_error`; the cause goes to the log only.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %chain(cause), "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        )
    }
}

/// A span rounded up to whole seconds, for `Retry-After`.
pub fn whole_seconds(span: chrono::TimeDelta) -> u64 {
    let ms = u64::try_from(span.num_milliseconds()).unwrap_or(0);
    ms.div_ceil(1000)
}

/// `a: b: c` for an error and its sources.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    errors: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_token: Option<&'a str>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            kind: format!("urn:portcullis:problem:{}", self.0.code),
            title: self.0.status.canonical_reason().unwrap_or("Error"),
            status: self.0.status.as_u16(),
            detail: &self.0.detail,
            code: self.0.code,
            errors: &self.0.errors,
            mfa_token: self.0.mfa_token.as_deref(),
        };
        let mut res = HttpResponse::build(self.0.status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(secs) = self.0.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(value) = self.0.www_authenticate {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(value)));
        }
        if let Some(allow) = &self.0.allow {
            res.insert_header((header::ALLOW, allow.as_str()));
        }
        res.body(serde_json::to_vec(&problem).unwrap_or_default())
    }
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        if f.is_unavailable() {
            Self::unavailable(&f)
        } else {
            Self::internal(&f)
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidToken => Self::invalid_token(),
            AuthError::Failure(f) => f.into(),
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::WeakPassword(r) => Self::validation(vec![password_error("password", r)]),
            RegisterError::EmailTaken => {
                Self::conflict("email_taken", "An account with this email already exists.")
            }
            RegisterError::UsernameTaken => {
                Self::conflict("username_taken", "This username is taken.")
            }
            RegisterError::Failure(f) => f.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::InvalidCredentials => Self::invalid_credentials(),
            LoginError::MfaRequired { mfa_token } => Self::mfa_required(mfa_token),
            LoginError::EmailNotVerified => Self::new(
                StatusCode::FORBIDDEN,
                "email_not_verified",
                "Verify your email address before logging in.",
            ),
            LoginError::AccountLocked { retry_after } => {
                Self::account_locked(whole_seconds(retry_after))
            }
            LoginError::Failure(f) => f.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::InvalidToken => Self::invalid_token(),
            RefreshError::Reused => Self::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reused",
                "This refresh token was already used; the session has been revoked.",
            ),
            RefreshError::DeviceMismatch => Self::new(
                StatusCode::UNAUTHORIZED,
                "device_mismatch",
                "This refresh token belongs to another device; the session has been revoked.",
            ),
            RefreshError::Failure(f) => f.into(),
        }
    }
}

impl From<RecoveryError> for ApiError {
    fn from(e: RecoveryError) -> Self {
        match e {
            RecoveryError::InvalidResetToken => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_reset_token",
                "This reset link is invalid, used or expired.",
            ),
            RecoveryError::InvalidVerificationToken => Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_verification_token",
                "This verification link is invalid, used or expired.",
            ),
            RecoveryError::WeakPassword(r) => {
                Self::validation(vec![password_error("new_password", r)])
            }
            RecoveryError::Failure(f) => f.into(),
        }
    }
}

impl From<MfaError> for ApiError {
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::InvalidCurrentPassword => Self::invalid_current_password(),
            MfaError::InvalidCode | MfaError::InvalidMfaToken => Self::invalid_mfa_code(),
            MfaError::AlreadyEnabled => {
                Self::conflict("mfa_already_enabled", "A second factor is already enabled.")
            }
            MfaError::Locked { retry_after } => Self::account_locked(whole_seconds(retry_after)),
            MfaError::Failure(f) => f.into(),
        }
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotFound => Self::not_found(),
            SessionError::Failure(f) => f.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            // The token outlived its account: indistinguishable from any bad token.
            AccountError::AccountGone => Self::invalid_token(),
            AccountError::NotFound => Self::not_found(),
            AccountError::Forbidden => Self::forbidden(),
            AccountError::InvalidCurrentPassword => Self::invalid_current_password(),
            AccountError::WeakPassword(r) => {
                Self::validation(vec![password_error("new_password", r)])
            }
            AccountError::UsernameTaken => {
                Self::conflict("username_taken", "This username is taken.")
            }
            AccountError::EmailTaken => {
                Self::conflict("email_taken", "An account with this email already exists.")
            }
            AccountError::LastAdmin => Self::conflict(
                "last_admin",
                "This would leave the service without an admin.",
            ),
            AccountError::Failure(f) => f.into(),
        }
    }
}
