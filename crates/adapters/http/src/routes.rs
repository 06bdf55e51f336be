//! The route table. Every resource answers other methods with 405 + `Allow`, and
//! unknown paths with 404, both as problem+json.

use actix_web::{HttpResponse, Route, web};

use crate::error::ApiError;
use crate::handlers::{
    account, audit, docs, login, mfa, oauth, recovery, register, session, sessions, system, users,
};

/// The answer for other methods on a resource: 405 with `Allow`.
pub(crate) fn not_allowed(allow: &'static [&'static str]) -> Route {
    web::to(
        move || async move { Err::<HttpResponse, ApiError>(ApiError::method_not_allowed(allow)) },
    )
}

/// The answer for unknown paths.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .route(web::get().to(system::index))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/metrics")
            .route(web::get().to(system::metrics))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/health")
            .route(web::get().to(system::ready))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/health/live")
            .route(web::get().to(system::live))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/.well-known/jwks.json")
            .route(web::get().to(system::jwks))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/openapi.json")
            .route(web::get().to(docs::openapi_json))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/docs")
            .route(web::get().to(docs::page))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::resource("/docs/{file}")
            .route(web::get().to(docs::asset))
            .default_service(not_allowed(&["GET"])),
    )
    .service(
        web::scope("/api/v1")
            .service(
                web::resource("/auth/register")
                    .route(web::post().to(register::register))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/login")
                    .route(web::post().to(login::login))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/refresh")
                    .route(web::post().to(session::refresh))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/logout")
                    .route(web::post().to(session::logout))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/password/forgot")
                    .route(web::post().to(recovery::forgot))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/password/reset")
                    .route(web::post().to(recovery::reset))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/email/verify")
                    .route(web::post().to(recovery::verify))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/email/resend")
                    .route(web::post().to(recovery::resend))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/mfa")
                    .route(web::post().to(mfa::complete))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/me/mfa/totp")
                    .route(web::post().to(mfa::enroll))
                    .route(web::delete().to(mfa::disable))
                    .default_service(not_allowed(&["POST", "DELETE"])),
            )
            .service(
                web::resource("/me/mfa/totp/confirm")
                    .route(web::post().to(mfa::confirm))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/logout-all")
                    .route(web::post().to(session::logout_all))
                    .default_service(not_allowed(&["POST"])),
            )
            .service(
                web::resource("/auth/sessions")
                    .route(web::get().to(sessions::list))
                    .default_service(not_allowed(&["GET"])),
            )
            .service(
                web::resource("/auth/sessions/{id}")
                    .route(web::delete().to(sessions::revoke))
                    .default_service(not_allowed(&["DELETE"])),
            )
            .service(
                web::resource("/me")
                    .route(web::get().to(account::get_me))
                    .route(web::patch().to(account::patch_me))
                    .route(web::delete().to(account::delete_me))
                    .default_service(not_allowed(&["GET", "PATCH", "DELETE"])),
            )
            .service(
                web::resource("/auth/oauth/{provider}")
                    .route(web::get().to(oauth::start))
                    .default_service(not_allowed(&["GET"])),
            )
            .service(
                web::resource("/auth/oauth/{provider}/callback")
                    .route(web::get().to(oauth::callback))
                    .default_service(not_allowed(&["GET"])),
            )
            .service(
                web::resource("/me/identities")
                    .route(web::get().to(oauth::list_identities))
                    .default_service(not_allowed(&["GET"])),
            )
            .service(
                web::resource("/me/identities/{provider}")
                    .route(web::delete().to(oauth::unlink_identity))
                    .default_service(not_allowed(&["DELETE"])),
            )
            .service(
                web::resource("/me/password")
                    .route(web::put().to(account::change_password))
                    .default_service(not_allowed(&["PUT"])),
            )
            .service(
                web::resource("/users")
                    .route(web::get().to(users::list))
                    .route(web::post().to(users::create))
                    .default_service(not_allowed(&["GET", "POST"])),
            )
            .service(
                web::resource("/users/email/{email}")
                    .route(web::get().to(users::get_by_email))
                    .default_service(not_allowed(&["GET"])),
            )
            .service(
                web::resource("/users/{id}")
                    .route(web::get().to(users::get))
                    .route(web::put().to(users::update))
                    .route(web::delete().to(users::delete))
                    .default_service(not_allowed(&["GET", "PUT", "DELETE"])),
            )
            .service(
                web::resource("/users/{id}/sessions")
                    .route(web::delete().to(users::revoke_sessions))
                    .default_service(not_allowed(&["DELETE"])),
            )
            .service(
                web::resource("/admin/audit")
                    .route(web::get().to(audit::list))
                    .default_service(not_allowed(&["GET"])),
            ),
    );
}
