//! `GET /openapi.json`, and the API reference page `GET /docs` with its assets, all
//! compiled into the binary (Swagger UI, vendored by `utoipa-swagger-ui`): no CDN.

use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use utoipa_swagger_ui::Config;

use crate::error::ApiError;
use crate::openapi::DOCS_CSP;

/// The vendored files the page uses, and only those: everything else under `/docs/`
/// (but the initializer) is 404.
const ASSETS: &[&str] = &[
    "swagger-ui.css",
    "index.css",
    "swagger-ui-bundle.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
];

/// The page. Asset URLs are relative (`/docs` + `docs/x` = `/docs/x`), so the page also
/// works behind a proxy that mounts the service under a path prefix. No inline script:
/// the CSP allows none.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portcullis API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="stylesheet" href="docs/index.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/swagger-initializer.js"></script>
</body>
</html>
"#;

/// Starts Swagger UI on the document (relative to the page, like the assets). No
/// validator badge: the public validator would receive the document.
const INITIALIZER: &str = r##"window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    filter: true,
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl]
  });
});
"##;

fn with_csp(mut res: HttpResponse, cache: &'static str) -> HttpResponse {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

/// The OpenAPI document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "docs",
    responses(
        (status = 200, description = "This OpenAPI 3.1 document.", body = Object, content_type = "application/json"),
        (status = 500, description = "`internal_error`"),
    ),
)]
pub async fn openapi_json() -> Result<HttpResponse, ApiError> {
    let body = crate::openapi::document()
        .to_json()
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}

/// The API reference page (Swagger UI).
#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "docs_page",
    tag = "docs",
    responses(
        (status = 200, description = "An HTML page rendering this document; its assets load from `/docs/{file}`.", body = String, content_type = "text/html"),
    ),
)]
pub async fn page() -> HttpResponse {
    with_csp(
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(PAGE),
        "no-cache",
    )
}

/// One asset of the reference page.
#[utoipa::path(
    get,
    path = "/docs/{file}",
    operation_id = "docs_asset",
    tag = "docs",
    params(("file" = String, Path, description = "An asset of the page, e.g. `swagger-ui-bundle.js`.")),
    responses(
        (status = 200, description = "The asset (JavaScript, CSS or PNG).", body = String, content_type = "application/javascript"),
        (status = 404, description = "`not_found`"),
        (status = 500, description = "`internal_error`"),
    ),
)]
pub async fn asset(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let name = file.into_inner();
    if name == "swagger-initializer.js" {
        return Ok(with_csp(
            HttpResponse::Ok()
                .content_type("text/javascript; charset=utf-8")
                .body(INITIALIZER),
            "no-cache",
        ));
    }
    if !ASSETS.contains(&name.as_str()) {
        return Err(ApiError::not_found());
    }
    // The configuration only matters to the initializer, which is ours.
    let served = utoipa_swagger_ui::serve(&name, Arc::new(Config::default()))
        .map_err(|e| ApiError::internal(&*e))?
        .ok_or_else(ApiError::not_found)?;
    Ok(with_csp(
        HttpResponse::Ok()
            .content_type(served.content_type)
            .body(served.bytes.into_owned()),
        "public, max-age=3600",
    ))
}
