//! `GET /openapi.json` and the reference page `GET /docs`, served through the real
//! routes and security-header middleware.

use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::from_fn;
use actix_web::{App, test, web};
use portcullis_http::openapi::DOCS_CSP;
use portcullis_http::{middleware, routes};
use serde_json::Value;

/// The routes behind the security-header middleware (which decides the CSP).
macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
                .wrap(from_fn(middleware::security_headers)),
        )
        .await
    };
}

fn header_of<B>(res: &ServiceResponse<B>, name: header::HeaderName) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[actix_web::test]
async fn the_document_is_openapi_3_1_json() {
    let app = app!();
    let res = test::call_service(
        &app,
        test::TestRequest::get().uri("/openapi.json").to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header_of(&res, header::CONTENT_TYPE).starts_with("application/json"));
    assert_eq!(
        header_of(&res, header::CONTENT_SECURITY_POLICY),
        "default-src 'none'; frame-ancestors 'none'",
        "a JSON answer keeps the API's policy"
    );
    let doc: Value = serde_json::from_slice(&test::read_body(res).await).unwrap();
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "openapi {version}");
    assert_eq!(doc["info"]["title"], "Portcullis");
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

/// The page, its CSP, and every asset it references, fetched from this origin.
#[actix_web::test]
async fn the_docs_page_loads_its_assets_from_this_origin() {
    let app = app!();
    let res = test::call_service(&app, test::TestRequest::get().uri("/docs").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(header_of(&res, header::CONTENT_TYPE).starts_with("text/html"));
    let csp = header_of(&res, header::CONTENT_SECURITY_POLICY);
    assert_eq!(csp, DOCS_CSP);
    for forbidden in ["http:", "https:", "*", "'unsafe-eval'", "'unsafe-inline'"] {
        assert!(!csp.contains(forbidden), "CSP allows {forbidden}: {csp}");
    }
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(header_of(&res, header::X_FRAME_OPTIONS), "DENY");
    let html = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    // The CSP forbids inline script: every <script> has a src.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    let urls: Vec<String> = ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| {
            html.split(attr)
                .skip(1)
                .map(|s| s.split('"').next().unwrap().to_owned())
        })
        .collect();
    let scripts = urls.iter().filter(|u| u.ends_with(".js")).count();
    assert!(
        scripts >= 2,
        "the page references {scripts} scripts: {urls:?}"
    );
    for url in &urls {
        assert!(!url.contains("//"), "{url} is not on this origin");
        // Relative to the page at /docs.
        let absolute = format!("/{url}");
        let res =
            test::call_service(&app, test::TestRequest::get().uri(&absolute).to_request()).await;
        assert_eq!(res.status(), StatusCode::OK, "{absolute}");
        let kind = header_of(&res, header::CONTENT_TYPE);
        if url.ends_with(".js") {
            assert!(kind.contains("javascript"), "{absolute}: {kind}");
        }
        assert_eq!(header_of(&res, header::CONTENT_SECURITY_POLICY), DOCS_CSP);
        assert!(
            !test::read_body(res).await.is_empty(),
            "{absolute} is empty"
        );
    }
}

#[actix_web::test]
async fn the_initializer_loads_the_document_from_this_origin() {
    let app = app!();
    let res = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/docs/swagger-initializer.js")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let js = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    assert!(js.contains("url: \"openapi.json\""), "{js}");
    assert!(!js.contains("http"), "no absolute URL: {js}");
}

#[actix_web::test]
async fn only_the_page_assets_are_served() {
    let app = app!();
    for uri in [
        "/docs/oauth2-redirect.html",
        "/docs/swagger-ui-es-bundle.js",
        "/docs/..%2FCargo.toml",
        "/docs/",
    ] {
        let res = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
    }
}
