//! `POST /api/v1/auth/refresh`, `/logout` and `/logout-all`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::client::client_info;
use crate::cookies;
use crate::dto::TokenDelivery;
use crate::error::ApiError;
use crate::handlers::issued_response;
use crate::json::OptionalJson;
use crate::state::AppState;

/// Body of refresh and logout for clients that keep tokens themselves.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from a body-mode answer.
    refresh_token: String,
}

/// Rotates the refresh token from the body (answering in the body) or the cookie
/// (answering with cookies).
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    description = "Rotates the refresh token: send it in the body (answered in the body) or \
let the browser send the refresh cookie (answered with cookies). Every refresh token works \
once; presenting a used one revokes the session.",
    request_body(content = Option<RefreshRequest>, description = "Omit (no body, no `Content-Type`) to use the refresh cookie."),
    security((), ("refresh_cookie" = [])),
    responses(
        (status = 200, description = "A new access token and refresh token for the same session.", body = crate::dto::SessionResponse, headers(("Set-Cookie" = String, description = "In cookie mode: the `access_token` and `refresh_token` cookies (HttpOnly; `__Host-`/`__Secure-` prefixed in production)."))),
        (status = 401, description = "`unauthenticated`, `invalid_token`, `refresh_token_reused`, `device_mismatch`"),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    OptionalJson(body): OptionalJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let cookies = &state.settings.cookies;
    let (presented, delivery) = match body {
        Some(body) => (body.refresh_token, TokenDelivery::Body),
        None => match req.cookie(cookies.refresh_name()) {
            Some(c) => (c.value().to_owned(), TokenDelivery::Cookie),
            None => return Err(ApiError::unauthenticated()),
        },
    };
    let client = client_info(&req, &state.settings.trusted_proxies);
    match state.service.refresh(&presented, &client).await {
        Ok(issued) => Ok(issued_response(StatusCode::OK, &issued, delivery, cookies)),
        Err(err) => {
            let err = ApiError::from(err);
            if delivery == TokenDelivery::Body || err.status_code().is_server_error() {
                return Err(err);
            }
            // A refused cookie is dead: stop the browser from sending it again.
            let mut res = err.error_response();
            for cookie in cookies::cleared(cookies) {
                res.add_cookie(&cookie)
                    .map_err(|e| ApiError::internal(&e))?;
            }
            Ok(res)
        }
    }
}

/// Ends the current session (named by the access token, else the refresh token) and
/// clears the cookies: 204 always.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    description = "Ends the session named by a valid access token, else by the refresh token \
(body or cookie), and clears the cookies. Always 204, also when there was nothing to end.",
    request_body(content = Option<RefreshRequest>, description = "Optional: the refresh token of a body-mode client."),
    security((), ("bearer" = []), ("cookie" = []), ("refresh_cookie" = [])),
    responses(
        (status = 204, description = "Signed out; the cookies are cleared.", headers(("Set-Cookie" = String, description = "Expired `access_token` and `refresh_token` cookies."))),
    ),
)]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    MaybeAuthUser(principal): MaybeAuthUser,
    OptionalJson(body): OptionalJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let cookies = &state.settings.cookies;
    let refresh = body.map(|b| b.refresh_token).or_else(|| {
        req.cookie(cookies.refresh_name())
            .map(|c| c.value().to_owned())
    });
    let client = client_info(&req, &state.settings.trusted_proxies);
    state
        .service
        .logout(principal.as_ref(), refresh.as_deref(), &client)
        .await?;
    let mut res = HttpResponse::NoContent();
    cookies::clear(&mut res, cookies);
    Ok(res.finish())
}

/// Ends every session of the caller: 204.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout-all",
    tag = "auth",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Every session of the caller has ended; the cookies are cleared."),
        (status = 429, description = "`rate_limited`"),
    ),
)]
pub async fn logout_all(
    req: HttpRequest,
    state: web::Data<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<HttpResponse, ApiError> {
    let client = client_info(&req, &state.settings.trusted_proxies);
    state.service.logout_all(&principal, &client).await?;
    let mut res = HttpResponse::NoContent();
    cookies::clear(&mut res, &state.settings.cookies);
    Ok(res.finish())
}
