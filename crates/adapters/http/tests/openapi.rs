//! The OpenAPI document against the code: every registered route is documented (and
//! every documented operation is routed), error answers name real codes, and the
//! document and its reference page are served — the page's assets from this origin.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

#[path = "openapi/coverage.rs"]
mod coverage;
#[path = "openapi/docs_page.rs"]
mod docs_page;
#[path = "openapi/problems.rs"]
mod problems;
#[path = "openapi/route_table.rs"]
mod route_table;

use std::path::PathBuf;

use serde_json::Value;

/// `crates/adapters/http/src`.
fn src_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The document as clients receive it.
fn document() -> Value {
    serde_json::from_str(&portcullis_http::openapi::document().to_json().unwrap()).unwrap()
}

/// Every operation: (METHOD, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                out.push((method.to_ascii_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}
