//! The modifier that turns the error answers declared on each handler into
//! problem+json responses, and adds those every endpoint of a kind can give.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use serde_json::json;
use utoipa::Modify;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, RefOr};

use super::problem::{PROBLEM_JSON, lookup};

/// Completes each operation's error answers (see the module doc of `openapi`).
#[derive(Debug)]
pub struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let operations = [
                ("get", item.get.as_mut()),
                ("put", item.put.as_mut()),
                ("post", item.post.as_mut()),
                ("delete", item.delete.as_mut()),
                ("patch", item.patch.as_mut()),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    complete(path, method, operation);
                }
            }
        }
    }
}

fn complete(path: &str, method: &str, operation: &mut Operation) {
    let mut codes: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let mut notes: BTreeMap<u16, String> = BTreeMap::new();
    for (status, response) in &operation.responses.responses {
        let Ok(status) = status.parse::<u16>() else {
            continue;
        };
        if let RefOr::T(response) = response
            && status >= 400
            && is_problem(response)
        {
            let (declared, note) = declared_codes(&response.description);
            codes.entry(status).or_default().extend(declared);
            if !note.is_empty() {
                notes.insert(status, note);
            }
        }
    }
    let mut imply = |list: &[&str]| {
        for c in list {
            if let Some(entry) = lookup(c) {
                codes
                    .entry(entry.status)
                    .or_default()
                    .push(entry.code.to_owned());
            }
        }
    };
    if operation.request_body.is_some() {
        imply(&[
            "malformed_json",
            "validation_failed",
            "payload_too_large",
            "unsupported_media_type",
        ]);
    }
    if requires_token(operation) {
        imply(&["unauthenticated", "invalid_token"]);
    }
    if method != "get" {
        imply(&["csrf_origin_mismatch"]);
    }
    if path.starts_with("/api/v1/") {
        imply(&["internal_error", "service_unavailable"]);
    }
    for (status, mut list) in codes {
        // Keep first-mention order, drop repeats.
        let mut seen = Vec::new();
        list.retain(|c| {
            let new = !seen.contains(c);
            seen.push(c.clone());
            new
        });
        operation.responses.responses.insert(
            status.to_string(),
            RefOr::T(problem_response(status, &list, notes.get(&status))),
        );
    }
}

/// An error answer the modifier owns: declared without a body, or as problem+json.
fn is_problem(response: &Response) -> bool {
    response.content.is_empty() || response.content.contains_key(PROBLEM_JSON)
}

/// Whether every security alternative needs a credential (no anonymous `()` option).
fn requires_token(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|alternatives| {
        !alternatives.is_empty()
            && alternatives.iter().all(|requirement| {
                serde_json::to_value(requirement)
                    .ok()
                    .and_then(|v| v.as_object().map(|o| !o.is_empty()))
                    .unwrap_or(false)
            })
    })
}

/// A declared error answer's codes and the author's note: the codes are the words in
/// backticks before the first `:` or `(`; what follows is the note.
fn declared_codes(description: &str) -> (Vec<String>, String) {
    let split = description.find([':', '(']).unwrap_or(description.len());
    let (head, tail) = description.split_at(split);
    let codes = head
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty())
        .map(ToOwned::to_owned)
        .collect();
    let note = tail.trim_start_matches(':').trim().to_owned();
    (codes, note)
}

fn problem_response(status: u16, codes: &[String], note: Option<&String>) -> Response {
    let title = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let description = codes
        .iter()
        .map(|c| {
            let meaning = lookup(c).map_or("(undocumented code)", |e| e.meaning);
            format!("- `{c}`: {meaning}")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let description = match note {
        Some(note) => format!("{note}\n\n{description}"),
        None => description,
    };
    let schema = AllOfBuilder::new()
        .item(utoipa::openapi::Ref::from_schema_name("Problem"))
        .item(
            ObjectBuilder::new().property(
                "code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(codes.iter().map(String::as_str))),
            ),
        );
    let examples = codes.iter().map(|c| {
        let meaning = lookup(c).map_or("", |e| e.meaning);
        let mut value = json!({
            "type": format!("urn:portcullis:problem:{c}"),
            "title": title,
            "status": status,
            "detail": meaning,
            "code": c,
        });
        if c == "validation_failed" {
            value["errors"] = json!([{
                "field": "email",
                "code": "invalid_email",
                "message": "not a valid email address",
            }]);
        }
        (
            c.clone(),
            ExampleBuilder::new().summary(c.clone()).value(Some(value)),
        )
    });
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(schema))
            .examples_from_iter(examples)
            .build(),
    );
    let header = |text: &str| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(text))
            .build()
    };
    let has = |c: &str| codes.iter().any(|x| x == c);
    if has("unauthenticated") || has("invalid_token") {
        response = response.header(
            "WWW-Authenticate",
            header("`Bearer` without a token; `Bearer error=\"invalid_token\"` for a bad one."),
        );
    }
    if has("rate_limited") || has("account_locked") {
        response = response.header("Retry-After", header("Seconds to wait before retrying."));
    }
    if has("method_not_allowed") {
        response = response.header("Allow", header("The methods this path answers."));
    }
    response.build()
}
