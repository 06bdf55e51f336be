//! Every route is documented and every documented operation is routed, checked three
//! ways: the registrations in the source, the OpenAPI document, and the running router
//! (whose 405 answers list each path's methods in `Allow`).

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::{Method, StatusCode, header};
use actix_web::test as actix_test;
use actix_web::{App, web};
use portcullis_http::routes;

use super::route_table::{self, Resource};
use super::{document, operations, src_dir};

const HOW: &str = "put `#[utoipa::path(<method>, path = \"<full path>\", tag = ..., \
responses(...))]` on the handler and add the handler to `paths(...)` in \
crates/adapters/http/src/openapi.rs";

/// Documented path → methods.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (method, path, _) in operations(&document()) {
        out.entry(path).or_default().insert(method);
    }
    out
}

/// The full paths a registration may have: its own when its scopes are known, else
/// under each scope prefix written in the crate.
fn candidates(r: &Resource, prefixes: &BTreeSet<String>) -> Vec<String> {
    if r.prefix_known {
        return vec![r.path.clone()];
    }
    std::iter::once(r.path.clone())
        .chain(prefixes.iter().map(|p| format!("{p}{}", r.path)))
        .collect()
}

fn registered() -> Vec<Resource> {
    let found = route_table::scan_dir(&src_dir());
    assert!(
        found.len() >= 20,
        "the route scanner found too few resources; did routes.rs change shape?\n{found:#?}"
    );
    for r in &found {
        assert!(
            !r.methods.is_empty(),
            "{} ({}) registers no method the scanner recognizes (web::get() ... web::delete())",
            r.path,
            r.file
        );
    }
    found
}

#[test]
fn every_registered_route_is_documented() {
    let docs = documented();
    let prefixes = route_table::scope_prefixes(&src_dir());
    let mut missing = Vec::new();
    for r in registered() {
        let paths = candidates(&r, &prefixes);
        for m in &r.methods {
            let covered = paths
                .iter()
                .any(|p| docs.get(p).is_some_and(|ms| ms.contains(m)));
            if !covered {
                missing.push(format!("{m} {} (registered in {})", r.path, r.file));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without OpenAPI documentation; {HOW}:\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn every_documented_operation_is_registered() {
    let prefixes = route_table::scope_prefixes(&src_dir());
    let routes = registered();
    let mut stray = Vec::new();
    for (path, methods) in documented() {
        for m in methods {
            let found = routes
                .iter()
                .any(|r| r.methods.contains(&m) && candidates(r, &prefixes).contains(&path));
            if !found {
                stray.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "documented operations that no route serves (remove them from openapi.rs, or fix \
         the path in #[utoipa::path]):\n  {}",
        stray.join("\n  ")
    );
}

/// `{id}` → a value any segment pattern accepts.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push_str("sample");
            }
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

#[actix_web::test]
async fn the_router_serves_exactly_the_documented_methods() {
    let app = actix_test::init_service(
        App::new()
            .configure(routes::configure)
            .default_service(web::to(routes::not_found)),
    )
    .await;
    let probe = Method::from_bytes(b"PROBE").unwrap();
    for (path, methods) in documented() {
        let uri = concrete(&path);
        let req = actix_test::TestRequest::default()
            .method(probe.clone())
            .uri(&uri)
            .to_request();
        let res = actix_test::call_service(&app, req).await;
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is documented, but {uri} is not routed"
        );
        let allow: BTreeSet<String> = res
            .headers()
            .get(header::ALLOW)
            .unwrap_or_else(|| panic!("405 on {path} without `Allow` (SPEC §3)"))
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        assert_eq!(allow, methods, "{path}: methods in `Allow` vs documented");
    }
    let req = actix_test::TestRequest::default()
        .method(probe)
        .uri("/no/such/route")
        .to_request();
    assert_eq!(
        actix_test::call_service(&app, req).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// The scanner would notice a route added tomorrow, in any of the shapes actix allows.
#[test]
fn the_scanner_sees_new_routes() {
    let sample = r#"
        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg.service(web::resource("/a").route(web::get().to(a)))
                .service(
                    web::scope("/api/v1")
                        .service(
                            web::resource("/x/{id}")
                                .route(web::get().to(x))
                                .route(web::delete().to(y))
                                .default_service(not_allowed(&["GET", "DELETE"])),
                        )
                        .route("/y", web::post().to(z))
                        .service(web::scope("/inner").service(web::resource("/{tail:.*}").route(web::put().to(w)))),
                );
            // web::resource("/commented-out")
            let s = "web::resource(\"/in-a-string\")";
            let c = '(';
        }
    "#;
    let found: BTreeMap<String, Vec<String>> = route_table::scan("routes.rs", sample, true)
        .into_iter()
        .map(|r| (r.path, r.methods.into_iter().collect()))
        .collect();
    let expected: BTreeMap<String, Vec<String>> = [
        ("/a", vec!["GET"]),
        ("/api/v1/x/{id}", vec!["DELETE", "GET"]),
        ("/api/v1/y", vec!["POST"]),
        ("/api/v1/inner/{tail}", vec!["PUT"]),
    ]
    .into_iter()
    .map(|(p, ms)| (p.to_owned(), ms.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(found, expected);

    // A `configure` function in another file: the path is known, its scope is not.
    let elsewhere = r#"pub fn configure(cfg: &mut web::ServiceConfig) {
        cfg.service(web::resource("/auth/oauth/{provider}").route(web::get().to(start)));
    }"#;
    let found = route_table::scan("handlers/oauth.rs", elsewhere, false);
    assert_eq!(found.len(), 1);
    assert!(!found[0].prefix_known);
    assert_eq!(found[0].path, "/auth/oauth/{provider}");
}

#[test]
fn operation_ids_are_unique() {
    let mut seen = BTreeMap::new();
    for (method, path, op) in operations(&document()) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
            panic!(
                "operationId `{id}` of {method} {path} is also {other}'s: set `operation_id = \"...\"`"
            );
        }
    }
}
