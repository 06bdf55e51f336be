//! Admin endpoints over real HTTP: bootstrap from the environment, user management,
//! refusals, the last-admin guard, the audit log.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use portcullis_e2e::{PASSWORD, TestServer, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ADMIN: &str = "root@example.com";

async fn login(server: &TestServer, email: &str) -> String {
    let res = native()
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "login {email}");
    res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn call(
    method: reqwest::Method,
    server: &TestServer,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = native()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_manages_users_and_users_cannot() {
    let server = TestServer::start(&[("ADMIN_EMAIL", ADMIN), ("ADMIN_PASSWORD", PASSWORD)]).await;
    let root = login(&server, ADMIN).await;
    let (status, me) = call(reqwest::Method::GET, &server, "/api/v1/me", &root, None).await;
    assert_eq!(
        (status, me["user"]["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );

    // Create, read by id and email, list with a cursor, search.
    let bob_email = unique_email("bob");
    let (status, created) = call(
        reqwest::Method::POST,
        &server,
        "/api/v1/users",
        &root,
        Some(json!({"email": bob_email, "password": PASSWORD, "name": "Bob", "role": "user"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let bob_id = created["user"]["id"].as_str().unwrap().to_owned();
    let (status, got) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &root,
        None,
    )
    .await;
    assert_eq!(
        (status, got["user"]["email"].as_str()),
        (StatusCode::OK, Some(bob_email.as_str()))
    );
    let (status, got) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users/email/{}", bob_email.to_uppercase()),
        &root,
        None,
    )
    .await;
    assert_eq!(
        (status, got["user"]["id"].as_str()),
        (StatusCode::OK, Some(bob_id.as_str()))
    );
    for i in 0..3 {
        native()
            .post(server.url("/api/v1/auth/register"))
            .json(&register_body(&unique_email(&format!("page{i}")), None))
            .send()
            .await
            .unwrap();
    }
    let (status, page) = call(
        reqwest::Method::GET,
        &server,
        "/api/v1/users?limit=2",
        &root,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["users"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page2) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users?limit=2&cursor={cursor}"),
        &root,
        None,
    )
    .await;
    let first: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(
        page2["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| !first.contains(&u["id"].as_str().unwrap())),
        "pages do not overlap"
    );
    let (_, found) = call(
        reqwest::Method::GET,
        &server,
        "/api/v1/users?q=BOB",
        &root,
        None,
    )
    .await;
    assert_eq!(found["users"].as_array().unwrap().len(), 1);
    assert!(found["users"][0].get("password_hash").is_none());
    for bad in ["limit=0", "limit=101", "limit=abc", "cursor=zzz"] {
        let (status, body) = call(
            reqwest::Method::GET,
            &server,
            &format!("/api/v1/users?{bad}"),
            &root,
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation_failed")),
            "{bad}"
        );
    }

    // A plain user: own id yes, others 404, collection 403, role change 403.
    let bob = login(&server, &bob_email).await;
    let root_id = me["user"]["id"].as_str().unwrap();
    let (status, _) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &bob,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users/{root_id}"),
        &bob,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = call(reqwest::Method::GET, &server, "/api/v1/users", &bob, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = call(
        reqwest::Method::PUT,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &bob,
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        reqwest::Method::PUT,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &bob,
        Some(json!({"password": "a new long secret"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_current_password"))
    );
    let (status, body) = call(
        reqwest::Method::GET,
        &server,
        "/api/v1/admin/audit",
        &bob,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    // The last admin cannot leave; the admin revokes Bob's sessions and deletes him.
    let (status, body) = call(
        reqwest::Method::PUT,
        &server,
        &format!("/api/v1/users/{root_id}"),
        &root,
        Some(json!({"role": "user"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    let (status, body) = call(
        reqwest::Method::DELETE,
        &server,
        &format!("/api/v1/users/{root_id}"),
        &root,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    let (status, _) = call(
        reqwest::Method::DELETE,
        &server,
        &format!("/api/v1/users/{bob_id}/sessions"),
        &root,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(reqwest::Method::GET, &server, "/api/v1/me", &bob, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked within a second");
    let (status, _) = call(
        reqwest::Method::DELETE,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &root,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/users/{bob_id}"),
        &root,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The audit log tells the story, newest first, filterable, without secrets.
    let (status, audit) = call(
        reqwest::Method::GET,
        &server,
        &format!("/api/v1/admin/audit?user_id={bob_id}"),
        &root,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "user_deleted",
        "session_revoked",
        "login_succeeded",
        "user_created",
    ] {
        assert!(kinds.contains(&expected), "{expected} in {kinds:?}");
    }
    let event = &audit["events"][0];
    for key in [
        "id",
        "type",
        "at",
        "user_id",
        "actor_id",
        "ip",
        "user_agent",
        "details",
    ] {
        assert!(event.get(key).is_some(), "{key} in {event}");
    }
    assert_eq!(event["actor_id"].as_str(), Some(root_id));
    assert!(!audit.to_string().contains(PASSWORD));
    let (_, only) = call(
        reqwest::Method::GET,
        &server,
        "/api/v1/admin/audit?type=user_created&limit=1",
        &root,
        None,
    )
    .await;
    assert_eq!(only["events"].as_array().unwrap().len(), 1);
    assert!(only["next_cursor"].is_string());
}
