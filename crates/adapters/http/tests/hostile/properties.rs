//! Property: whatever a client sends to any documented operation — arbitrary bytes or
//! arbitrary JSON, any `Content-Type`, any path segment and query, with no token, a
//! valid one (Bearer or cookie) or garbage — the answer is never a 5xx, and every 4xx
//! is `application/problem+json` with its `status` and a `code` (SPEC §3–§4).

use std::cell::RefCell;

use actix_web::rt::System;
use actix_web::test::{self, TestRequest};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::inputs::{
    self, Auth, Operation, Segment, auth, content_type, encode_segment, origin, query, segment,
};
use super::support::{Actor, Answer, app, settings, state};

/// Cases per operation and per property: about 30 operations, two properties, some
/// 4,500 requests in all (well under 30 s in a debug build).
const CASES: u32 = 64;

/// One request, before the actor's token and id are filled in.
#[derive(Debug, Clone)]
struct Case {
    auth: Auth,
    segments: Vec<Segment>,
    query: String,
    content_type: Option<String>,
    origin: Option<&'static str>,
    body: Vec<u8>,
}

fn case(op: &Operation, (body, content_type): Bodies) -> impl Strategy<Value = Case> {
    (
        auth(),
        proptest::collection::vec(segment(), 2),
        query(&op.params),
        content_type,
        origin(),
        body,
    )
        .prop_map(|(auth, segments, query, content_type, origin, body)| Case {
            auth,
            segments,
            query,
            content_type,
            origin,
            body,
        })
}

/// Bodies and the `Content-Type` they travel with.
type Bodies = (BoxedStrategy<Vec<u8>>, BoxedStrategy<Option<String>>);

/// `/users/{id}` with the case's segments substituted, in order.
fn concrete_path(template: &str, segments: &[Segment], own_id: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    let mut next = segments.iter().cycle();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i + 1);
        let text = match next.next() {
            Some(Segment::Text(text)) => encode_segment(text),
            Some(Segment::Own) | None => own_id.to_owned(),
        };
        out.push_str(&text);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn request(op: &Operation, case: &Case, actor: &Actor, token: &str) -> TestRequest {
    let mut uri = concrete_path(&op.path, &case.segments, &actor.user_id);
    if !case.query.is_empty() {
        uri.push('?');
        uri.push_str(&case.query);
    }
    let method = actix_web::http::Method::from_bytes(op.method.as_bytes()).unwrap();
    let mut req = TestRequest::default()
        .method(method)
        .uri(&uri)
        .peer_addr("198.51.100.7:4000".parse().unwrap())
        .set_payload(case.body.clone());
    req = match &case.auth {
        Auth::None => req,
        Auth::Bearer => req.insert_header(("authorization", format!("Bearer {token}"))),
        Auth::Cookie => req.insert_header(("cookie", format!("access_token={token}"))),
        Auth::Garbage(text) => req.insert_header(("authorization", text.as_str())),
    };
    if let Some(ct) = &case.content_type {
        req = req.insert_header(("content-type", ct.as_str()));
    }
    if let Some(origin) = case.origin {
        req = req.insert_header(("origin", origin));
    }
    req
}

/// Runs `CASES` cases of the bodies `body` makes for each operation against every
/// operation, on one application.
fn every_operation_keeps_the_contract(body: impl Fn(&Operation) -> Bodies) {
    let system = System::new();
    let state = state(settings());
    let service = system.block_on(async { app!(state.clone()) });
    let actor = RefCell::new(system.block_on(Actor::new(&state)));
    for op in inputs::operations() {
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&case(&op, body(&op)), |case| {
            let answer = system.block_on(async {
                let mut current = actor.take();
                let token = current.fresh_token(&state).await;
                let req = request(&op, &case, &current, &token).to_request();
                actor.replace(current);
                Answer::read(test::call_service(&service, req).await).await
            });
            answer
                .check_contract()
                .map_err(|why| TestCaseError::fail(format!("{} {}: {why}", op.method, op.path)))
        });
        if let Err(err) = result {
            panic!("{} {}: {err}", op.method, op.path);
        }
    }
}

#[test]
fn arbitrary_bytes_never_cause_a_5xx_and_errors_are_problem_json() {
    every_operation_keeps_the_contract(|_| (inputs::raw_body().boxed(), content_type().boxed()));
}

#[test]
fn arbitrary_json_never_causes_a_5xx_and_errors_are_problem_json() {
    every_operation_keeps_the_contract(|op| {
        let json = Just(Some("application/json".to_owned()));
        (
            inputs::json_body(&op.fields)
                .prop_map(String::into_bytes)
                .boxed(),
            prop_oneof![9 => json, 1 => content_type()].boxed(),
        )
    });
}

#[test]
fn path_templates_are_filled_in_order() {
    let segments = [Segment::Text("a b".into()), Segment::Own];
    assert_eq!(
        concrete_path("/users/{id}/x/{other}", &segments, "me"),
        "/users/a%20b/x/me"
    );
    assert_eq!(concrete_path("/health", &segments, "me"), "/health");
}
