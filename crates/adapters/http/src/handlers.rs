//! Route handlers, one small group per file.

pub mod account;
pub mod audit;
pub mod docs;
pub mod login;
pub mod mfa;
pub mod oauth;
pub mod recovery;
pub mod register;
pub mod session;
pub mod sessions;
pub mod system;
pub mod users;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use portcullis_core::IssuedSession;

use crate::cookies;
use crate::dto::{SessionResponse, TokenDelivery};
use crate::state::CookieSettings;

/// The answer of every flow that issues tokens: cookies or body, per `delivery`.
pub(crate) fn issued_response(
    status: StatusCode,
    issued: &IssuedSession,
    delivery: TokenDelivery,
    cookies: &CookieSettings,
) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    if delivery == TokenDelivery::Cookie {
        cookies::set_session(&mut res, cookies, issued);
    }
    res.json(SessionResponse::new(issued, delivery))
}
