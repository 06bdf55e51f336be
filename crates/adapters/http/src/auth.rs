//! The `AuthUser` extractor: an access token from `Authorization: Bearer` or the
//! access cookie, verified by the core (signature, claims, deny-list).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use portcullis_core::Principal;

use crate::error::ApiError;
use crate::state::AppState;

/// Longest access token looked at; longer ones are refused unread.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// An authenticated caller.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub Principal);

/// The caller if the request carries a valid access token; `None` for no token or a
/// bad one (logout must succeed either way).
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuthUser(pub Option<Principal>);

/// Where the presented access token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `Authorization: Bearer`.
    Bearer,
    /// The access cookie.
    Cookie,
}

/// The access token a request presents, if any. A malformed `Authorization` header
/// counts as a (bad) token, not as no token.
pub fn presented_token(req: &HttpRequest, state: &AppState) -> Option<(String, TokenSource)> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or("");
        let token = match text.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => "",
        };
        return Some((token.to_owned(), TokenSource::Bearer));
    }
    req.cookie(state.settings.cookies.access_name())
        .map(|c| (c.value().to_owned(), TokenSource::Cookie))
}

async fn authenticate(req: HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(ApiError::internal(&std::io::Error::other(
            "AppState missing",
        )));
    };
    // The rate limiter may have authenticated this request already.
    if let Some(principal) = req.extensions().get::<Principal>().copied() {
        return Ok(Some(principal));
    }
    let Some((token, _)) = presented_token(&req, &state) else {
        return Ok(None);
    };
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(ApiError::invalid_token());
    }
    let principal = state.service.authenticate(&token).await?;
    req.extensions_mut().insert(principal);
    Ok(Some(principal))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .map(AuthUser)
                .ok_or_else(ApiError::unauthenticated)
        })
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match authenticate(req).await {
                Ok(p) => Ok(MaybeAuthUser(p)),
                Err(e) if e.code() == "invalid_token" => Ok(MaybeAuthUser(None)),
                Err(e) => Err(e),
            }
        })
    }
}
