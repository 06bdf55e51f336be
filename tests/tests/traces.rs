//! OpenTelemetry: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the server exports spans over
//! OTLP/HTTP — requests (children of the caller's `traceparent`), use cases, database
//! and Redis calls — and flushes what is queued when it stops.

use portcullis_e2e::{PASSWORD, Shared, TestServer, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TRACE_ID_HEX: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread")]
async fn spans_reach_the_collector_and_the_last_ones_are_flushed_at_shutdown() {
    let collector = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .and(header("content-type", "application/x-protobuf"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&collector)
        .await;
    let shared = Shared::new().await;
    let endpoint = collector.uri();
    // The batch processor waits 5 s by default: everything below arrives only because
    // shutdown flushes it.
    let mut server =
        TestServer::start_shared(&shared, &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)]).await;

    let email = unique_email("traces");
    let res = native()
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = native()
        .post(server.url("/api/v1/auth/login"))
        .header(
            "traceparent",
            format!("00-{TRACE_ID_HEX}-00f067aa0ba902b7-01"),
        )
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let (access, refresh) = (
        tokens["access_token"].as_str().unwrap().to_owned(),
        tokens["refresh_token"].as_str().unwrap().to_owned(),
    );
    assert!(server.terminate().success(), "clean exit");

    let requests = collector.received_requests().await.unwrap();
    assert!(!requests.is_empty(), "the exporter posted to /v1/traces");
    let body: Vec<u8> = requests.into_iter().flat_map(|r| r.body).collect();
    for name in [
        "portcullis",                   // the resource's service.name
        "POST /api/v1/auth/login",      // the request span
        "UserRepository.find_by_email", // a database span
        "rate limit check",             // a Redis span
    ] {
        assert!(
            contains(&body, name.as_bytes()),
            "no {name:?} in the export: {}",
            String::from_utf8_lossy(&body)
                .split(char::is_control)
                .filter(|s| s.len() > 3)
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    let trace_id: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&TRACE_ID_HEX[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    assert!(
        contains(&body, &trace_id),
        "the login span joined the caller's trace"
    );
    for secret in [PASSWORD, access.as_str(), refresh.as_str()] {
        if let Some(at) = body
            .windows(secret.len())
            .position(|w| w == secret.as_bytes())
        {
            let around = &body[at.saturating_sub(400)..(at + 100).min(body.len())];
            panic!("{secret:?} in a span: {}", String::from_utf8_lossy(around));
        }
    }
}
