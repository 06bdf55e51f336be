//! Error answers in the document name real codes with their real statuses, and the
//! `ErrorCode` list covers every code the crate can answer.

use std::collections::BTreeSet;

use portcullis_http::openapi::problem::{CODES, lookup};
use serde_json::Value;

use super::{document, operations, src_dir};

/// The codes an operation's response for `status` admits.
fn codes_of(op: &Value, status: &str) -> Vec<String> {
    op["responses"][status]["content"]["application/problem+json"]["schema"]["allOf"][1]
        ["properties"]["code"]["enum"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn every_error_answer_lists_known_codes_of_its_status() {
    let doc = document();
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || s.starts_with('3')),
            "{method} {path} documents no success answer"
        );
        for (status, response) in responses {
            let Ok(n) = status.parse::<u16>() else {
                continue;
            };
            if n < 400
                || response["content"]
                    .get("application/problem+json")
                    .is_none()
            {
                continue;
            }
            let codes = codes_of(&op, status);
            if codes.is_empty() {
                wrong.push(format!(
                    "{method} {path} {status}: no code; write them in backticks in the description"
                ));
            }
            for code in codes {
                match lookup(&code) {
                    None => wrong.push(format!(
                        "{method} {path} {status}: `{code}` is not in CODES (openapi/problem.rs)"
                    )),
                    Some(c) if c.status != n => wrong.push(format!(
                        "{method} {path} {status}: `{code}` is a {} code",
                        c.status
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn authenticated_operations_document_401_and_their_schemes() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");
    assert_eq!(schemes["cookie"]["type"], "apiKey");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    assert_eq!(schemes["cookie"]["name"], "access_token");
    let mut protected = 0;
    for (method, path, op) in operations(&doc) {
        let Some(alternatives) = op["security"].as_array() else {
            continue;
        };
        for alternative in alternatives {
            for name in alternative.as_object().unwrap().keys() {
                assert!(
                    schemes.contains_key(name),
                    "{method} {path}: unknown scheme {name}"
                );
            }
        }
        let anonymous_allowed = alternatives
            .iter()
            .any(|a| a.as_object().unwrap().is_empty());
        if !anonymous_allowed {
            protected += 1;
            let codes = codes_of(&op, "401");
            for c in ["unauthenticated", "invalid_token"] {
                assert!(
                    codes.iter().any(|x| x == c),
                    "{method} {path}: 401 lacks `{c}`"
                );
            }
            assert!(
                op["responses"]["401"]["headers"]
                    .get("WWW-Authenticate")
                    .is_some(),
                "{method} {path}: 401 without WWW-Authenticate"
            );
        }
    }
    assert!(
        protected >= 15,
        "only {protected} operations require a token"
    );
    // The ones that need none really say so.
    for (method, path) in [("POST", "/api/v1/auth/login"), ("GET", "/health")] {
        let op = &doc["paths"][path][method.to_ascii_lowercase()];
        assert!(
            op["security"].is_null(),
            "{method} {path} must not require auth"
        );
    }
}

#[test]
fn json_bodies_document_their_transport_errors() {
    for (method, path, op) in operations(&document()) {
        if op.get("requestBody").is_none() {
            continue;
        }
        for (status, code) in [
            ("400", "malformed_json"),
            ("400", "validation_failed"),
            ("413", "payload_too_large"),
            ("415", "unsupported_media_type"),
            ("403", "csrf_origin_mismatch"),
        ] {
            assert!(
                codes_of(&op, status).iter().any(|c| c == code),
                "{method} {path}: no {status} `{code}`"
            );
        }
    }
}

#[test]
fn every_reference_resolves() {
    fn walk(v: &Value, schemas: &serde_json::Map<String, Value>, bad: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let name = r.trim_start_matches("#/components/schemas/");
                    if !schemas.contains_key(name) {
                        bad.push(r.clone());
                    }
                }
                map.values().for_each(|x| walk(x, schemas, bad));
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, schemas, bad)),
            _ => {}
        }
    }
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut bad = Vec::new();
    walk(&doc, schemas, &mut bad);
    assert!(bad.is_empty(), "dangling $ref: {bad:?}");
    let problem = &schemas["Problem"]["properties"];
    for field in ["type", "title", "status", "detail", "code", "errors"] {
        assert!(problem.get(field).is_some(), "Problem lacks `{field}`");
    }
    let listed: BTreeSet<&str> = schemas["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, CODES.iter().map(|c| c.code).collect());
}

/// Every code the crate builds an `ApiError` with (`StatusCode::X, "code"` or
/// `conflict("code", ...)`) is in `CODES`, with that status.
#[test]
fn codes_answered_by_the_crate_are_documented() {
    let mut files = Vec::new();
    let mut stack = vec![src_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.push(p);
            }
        }
    }
    let mut seen = 0;
    let mut wrong = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (i, _) in flat.match_indices("StatusCode::") {
            let rest = &flat[i + "StatusCode::".len()..];
            let Some((name, after)) = rest.split_once(',') else {
                continue;
            };
            let Some(code) = after
                .trim_start()
                .strip_prefix('"')
                .and_then(|s| s.split('"').next())
            else {
                continue;
            };
            if !name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                continue;
            }
            seen += 1;
            let status = status_named(name);
            match lookup(code) {
                Some(c) if Some(c.status) == status || status.is_none() => {}
                _ => wrong.push(format!("{}: {name} `{code}`", file.display())),
            }
        }
        for (i, _) in flat.match_indices("conflict(\"") {
            let code = flat[i + "conflict(\"".len()..].split('"').next().unwrap();
            seen += 1;
            if lookup(code).is_none_or(|c| c.status != 409) {
                wrong.push(format!("{}: conflict `{code}`", file.display()));
            }
        }
    }
    assert!(seen >= 10, "found only {seen} error constructions");
    assert!(
        wrong.is_empty(),
        "codes the crate answers but CODES (openapi/problem.rs) does not list with that status:\n{}",
        wrong.join("\n")
    );
}

fn status_named(name: &str) -> Option<u16> {
    Some(match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "CONFLICT" => 409,
        "PAYLOAD_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "LOCKED" => 423,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "SERVICE_UNAVAILABLE" => 503,
        _ => return None,
    })
}
