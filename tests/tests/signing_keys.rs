//! Asymmetric access tokens: keygen, JWKS, a downstream service verifying with the
//! JWKS alone (the example in `examples/verify-token`), and a zero-downtime rotation.

#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use portcullis_e2e::{Shared, TestServer, binary, native, register_body, unique_email};
use reqwest::StatusCode;
use serde_json::Value;

fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let private = dir.join(format!("{name}.pem"));
    let out = Command::new(binary())
        .args(["keygen", "--algorithm", "eddsa", "--out"])
        .arg(&private)
        .env_clear()
        .output()
        .expect("keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (private.clone(), private.with_extension("pub.pem"))
}

fn verify_token_binary() -> PathBuf {
    binary().with_file_name("verify-token")
}

async fn token(server: &TestServer) -> String {
    let res = native()
        .post(server.url("/api/v1/auth/register"))
        .json(&register_body(&unique_email("keys"), Some("body")))
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn eddsa_tokens_verify_downstream_and_survive_a_key_rotation() {
    let keys = tempfile::tempdir().unwrap();
    let (a_private, a_public) = keygen(keys.path(), "a");
    let a = a_private.to_str().unwrap().to_owned();
    let shared = Shared::new().await;
    let mut server = TestServer::start_shared(
        &shared,
        &[
            ("JWT_ALGORITHM", "EdDSA"),
            ("JWT_PRIVATE_KEY", a.as_str()),
            ("JWT_ISSUER", "e2e-issuer"),
        ],
    )
    .await;
    let jwks: Value = native()
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys_a = jwks["keys"].as_array().unwrap().clone();
    assert_eq!(keys_a.len(), 1);
    assert_eq!(keys_a[0]["kty"], "OKP");
    assert_eq!(keys_a[0]["alg"], "EdDSA");
    assert!(keys_a[0].get("d").is_none(), "never the private part");
    let old_token = token(&server).await;

    // A downstream service verifies with the JWKS alone.
    let out = Command::new(verify_token_binary())
        .args([
            "--jwks",
            &server.url("/.well-known/jwks.json"),
            "--issuer",
            "e2e-issuer",
            "--audience",
            "portcullis",
            &old_token,
        ])
        .output()
        .expect("verify-token (built by the test command)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let claims: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(claims["sub"].is_string() && claims["sid"].is_string());
    let forged = format!("{}x", &old_token[..old_token.len() - 1]);
    let out = Command::new(verify_token_binary())
        .args([
            "--jwks",
            &server.url("/.well-known/jwks.json"),
            "--issuer",
            "e2e-issuer",
            "--audience",
            "portcullis",
            &forged,
        ])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a tampered token is refused downstream"
    );

    // Rotation: B signs, A still verifies; JWKS lists both during the overlap.
    let (b_private, _) = keygen(keys.path(), "b");
    let b = b_private.to_str().unwrap().to_owned();
    let a_pub = a_public.to_str().unwrap().to_owned();
    server.terminate();
    let server = TestServer::start_shared(
        &shared,
        &[
            ("JWT_ALGORITHM", "EdDSA"),
            ("JWT_PRIVATE_KEY", b.as_str()),
            ("JWT_VERIFY_KEYS", a_pub.as_str()),
            ("JWT_ISSUER", "e2e-issuer"),
        ],
    )
    .await;
    let jwks: Value = native()
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), 2);
    assert_eq!(
        kids[1],
        keys_a[0]["kid"].as_str().unwrap(),
        "current first, then the previous key"
    );
    // Tokens minted before the switch keep working until they expire, here and
    // downstream, and the new key's tokens verify everywhere.
    let new_token = token(&server).await;
    for t in [&old_token, &new_token] {
        let out = Command::new(verify_token_binary())
            .args([
                "--jwks",
                &server.url("/.well-known/jwks.json"),
                "--issuer",
                "e2e-issuer",
                "--audience",
                "portcullis",
                t,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for t in [&old_token, &new_token] {
        let res = native()
            .get(server.url("/api/v1/me"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
