//! The auth cookies of SPEC §3: names, paths and attributes in one place.

use actix_web::HttpResponseBuilder;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite as CookieSameSite};
use portcullis_core::IssuedSession;

use crate::state::{CookieSettings, SameSite};

/// Path of the refresh cookie: only the auth endpoints ever see it.
pub const REFRESH_PATH: &str = "/api/v1/auth";

fn build(
    settings: &CookieSettings,
    name: &'static str,
    value: String,
    path: &'static str,
    max_age: i64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .secure(settings.secure)
        .same_site(match settings.same_site {
            SameSite::Lax => CookieSameSite::Lax,
            SameSite::Strict => CookieSameSite::Strict,
        })
        .max_age(CookieDuration::seconds(max_age))
        .finish()
}

/// Sets both cookies for an issued session.
pub fn set_session(
    res: &mut HttpResponseBuilder,
    settings: &CookieSettings,
    issued: &IssuedSession,
) {
    res.cookie(build(
        settings,
        settings.access_name(),
        issued.access_token.expose().to_owned(),
        "/",
        issued.access_expires_in.num_seconds(),
    ));
    res.cookie(build(
        settings,
        settings.refresh_name(),
        issued.refresh_token.expose().to_owned(),
        REFRESH_PATH,
        issued.refresh_expires_in.num_seconds(),
    ));
}

/// Removal cookies for both (same names, paths and attributes, empty, `Max-Age=0`).
pub fn cleared(settings: &CookieSettings) -> [Cookie<'static>; 2] {
    [
        build(settings, settings.access_name(), String::new(), "/", 0),
        build(
            settings,
            settings.refresh_name(),
            String::new(),
            REFRESH_PATH,
            0,
        ),
    ]
}

/// Clears both cookies on a response being built.
pub fn clear(res: &mut HttpResponseBuilder, settings: &CookieSettings) {
    for cookie in cleared(settings) {
        res.cookie(cookie);
    }
}
