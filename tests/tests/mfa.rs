//! Two-factor login over HTTP: enrol, confirm, a login that answers 401 mfa_required,
//! the second step in the delivery mode the first step asked for, replay refused.

use portcullis_e2e::{
    PASSWORD, TestServer, browser, native, register_body, totp_code, unique_email,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn totp_login_in_two_steps() {
    let server = TestServer::start(&[]).await;
    let client = native();
    let email = unique_email("mfa");
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&email, Some("body")))
        .send()
        .await
        .unwrap();
    let access = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let setup: Value = client
        .post(server.url("/api/v1/me/mfa/totp"))
        .bearer_auth(&access)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let res = client
        .post(server.url("/api/v1/me/mfa/totp/confirm"))
        .bearer_auth(&access)
        .json(&json!({"code": totp_code(&secret)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let codes: Value = res.json().await.unwrap();
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);
    let me: Value = client
        .get(server.url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["mfa_enabled"], true);

    // Body mode: the second step answers in the body.
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "mfa_required");
    let mfa_token = body["mfa_token"].as_str().unwrap().to_owned();
    let res = client
        .post(server.url("/api/v1/auth/mfa"))
        .json(&json!({"mfa_token": mfa_token, "code": "000000"}))
        .send()
        .await
        .unwrap();
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["code"], "invalid_mfa_code");
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD, "token_delivery": "body"}))
        .send()
        .await
        .unwrap();
    let mfa_token = res.json::<Value>().await.unwrap()["mfa_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let recovery = codes["recovery_codes"][0].as_str().unwrap();
    let res = client
        .post(server.url("/api/v1/auth/mfa"))
        .json(&json!({"mfa_token": mfa_token, "code": recovery}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let session: Value = res.json().await.unwrap();
    assert!(session["refresh_token"].is_string(), "body mode kept");

    // Cookie mode: the second step sets cookies.
    let jar = browser();
    let res = jar
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let mfa_token = res.json::<Value>().await.unwrap()["mfa_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = jar
        .post(server.url("/api/v1/auth/mfa"))
        .json(&json!({"mfa_token": mfa_token, "code": recovery}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "invalid_mfa_code",
        "a recovery code works once"
    );
    let res = jar
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let mfa_token = res.json::<Value>().await.unwrap()["mfa_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let recovery = codes["recovery_codes"][1].as_str().unwrap();
    let res = jar
        .post(server.url("/api/v1/auth/mfa"))
        .json(&json!({"mfa_token": mfa_token, "code": recovery}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("access_token="))
    );
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "cookie mode kept");
    assert_eq!(
        jar.get(server.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}
