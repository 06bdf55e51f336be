//! The actix-web face of Portcullis: routes, extractors, middleware and the one
//! mapping of errors to RFC 9457 problem+json (SPEC §3–§5).

pub mod auth;
pub mod client;
pub mod cookies;
pub mod dto;
pub mod error;
mod handlers;
pub mod json;
pub mod middleware;
pub mod openapi;
pub mod query;
pub mod rate_limit;
pub mod routes;
pub mod state;
mod trace_context;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, web};

pub use error::ApiError;
pub use rate_limit::RateLimits;
pub use state::{
    AppState, CookieSettings, HealthCheck, HttpSettings, MetricsEndpoint, SameSite, TrustedNet,
};

/// The whole application for one worker: state, middleware, routes.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let cors = middleware::cors(&state.settings.allowed_origins);
    App::new()
        .app_data(state)
        .configure(routes::configure)
        .default_service(web::to(routes::not_found))
        .wrap(from_fn(rate_limit::rate_limit))
        .wrap(from_fn(middleware::request_guard))
        .wrap(cors)
        .wrap(from_fn(middleware::security_headers))
        .wrap(from_fn(middleware::request_id))
}

/// The application of the separate metrics listener (`METRICS_ADDR`): `GET /metrics`
/// only, with the endpoint's Bearer token when it has one; every other path is 404 and
/// every other method 405, as problem+json. It keeps the request id, the access log and
/// the security headers, and needs none of the use cases.
pub fn metrics_app(
    endpoint: MetricsEndpoint,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(endpoint))
        .service(
            web::resource("/metrics")
                .route(web::get().to(handlers::system::metrics_only))
                .default_service(routes::not_allowed(&["GET"])),
        )
        .default_service(web::to(routes::not_found))
        .wrap(from_fn(middleware::security_headers))
        .wrap(from_fn(middleware::request_id))
}
