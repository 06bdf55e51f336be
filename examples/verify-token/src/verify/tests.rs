//! The checks a downstream service relies on, with keys written by OpenSSL (test-only
//! keys: the same pair the crypto crate's tests use).

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::verify;

const ED25519_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEIAttuyos7yomWsHwDi/xL0xofFGtzEaq9l8AJw+tFQ0P\n\
-----END PRIVATE KEY-----\n\
";
const ED25519_X: &str = "vtVNnaNQzcxTp4Z9iyVCQdoyEGuJqbNBTefQOtV0EXo";

const P256_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOWlsmAf8Hi/KAMX7\n\
5k4ihZsB0+ZKupNzq6x0UTrJh8OhRANCAAQ4kBihX2/0iLXtsZpNDhP4B3jUgDZC\n\
K88nbViYqRY6PKSFfH3659WxrTrIeCocYFZ16fBJYQSv5t+GDJyI19Av\n\
-----END PRIVATE KEY-----\n\
";
const P256_X: &str = "OJAYoV9v9Ii17bGaTQ4T-Ad41IA2QivPJ21YmKkWOjw";
const P256_Y: &str = "pIV8ffrn1bGtOsh4KhxgVnXp8ElhBK_m34YMnIjX0C8";

const ISS: &str = "https://auth.example.test";
const AUD: &str = "orders-service";

fn jwks() -> JwkSet {
    serde_json::from_value(json!({ "keys": [
        { "kty": "OKP", "crv": "Ed25519", "x": ED25519_X, "kid": "ed", "alg": "EdDSA", "use": "sig" },
        { "kty": "EC", "crv": "P-256", "x": P256_X, "y": P256_Y, "kid": "ec", "alg": "ES256", "use": "sig" },
        { "kty": "OKP", "crv": "Ed25519", "x": ED25519_X, "kid": "no-alg" },
        { "kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA", "kid": "hmac", "alg": "HS256" },
    ] }))
    .unwrap()
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn claims() -> Value {
    let at = now();
    json!({ "iss": ISS, "aud": AUD, "sub": "user-1", "iat": at, "nbf": at, "exp": at + 900 })
}

fn sign(kid: &str, alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn ed_key() -> EncodingKey {
    EncodingKey::from_ed_pem(ED25519_PRIVATE.as_bytes()).unwrap()
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(P256_PRIVATE.as_bytes()).unwrap()
}

fn refused(token: &str) -> String {
    format!("{:#}", verify(token, &jwks(), ISS, AUD).unwrap_err())
}

#[test]
fn eddsa_and_es256_tokens_verify_and_give_their_claims() {
    for token in [
        sign("ed", Algorithm::EdDSA, &ed_key(), &claims()),
        sign("ec", Algorithm::ES256, &ec_key(), &claims()),
    ] {
        let got = verify(&token, &jwks(), ISS, AUD).unwrap();
        assert_eq!(got["sub"], "user-1");
    }
}

#[test]
fn wrong_issuer_audience_or_expired_is_refused() {
    let mut c = claims();
    c["iss"] = json!("https://elsewhere.test");
    assert!(refused(&sign("ed", Algorithm::EdDSA, &ed_key(), &c)).contains("InvalidIssuer"));
    let mut c = claims();
    c["aud"] = json!("another-service");
    assert!(refused(&sign("ed", Algorithm::EdDSA, &ed_key(), &c)).contains("InvalidAudience"));
    let mut c = claims();
    c["exp"] = json!(now() - 120);
    assert!(refused(&sign("ed", Algorithm::EdDSA, &ed_key(), &c)).contains("ExpiredSignature"));
    let mut c = claims();
    c["nbf"] = json!(now() + 120);
    assert!(refused(&sign("ed", Algorithm::EdDSA, &ed_key(), &c)).contains("ImmatureSignature"));
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert!(refused(&sign("ed", Algorithm::EdDSA, &ed_key(), &c)).contains("exp"));
}

#[test]
fn the_algorithm_is_the_keys_not_the_tokens() {
    // ES256 token under the EdDSA key's kid, and the reverse.
    assert!(
        refused(&sign("ed", Algorithm::ES256, &ec_key(), &claims())).contains("InvalidAlgorithm")
    );
    assert!(
        refused(&sign("ec", Algorithm::EdDSA, &ed_key(), &claims())).contains("InvalidAlgorithm")
    );
    // HS256 keyed with the public key, under the EdDSA kid.
    let public = EncodingKey::from_secret(ED25519_X.as_bytes());
    assert!(
        refused(&sign("ed", Algorithm::HS256, &public, &claims())).contains("InvalidAlgorithm")
    );
    // A symmetric or alg-less JWK is never used.
    let secret =
        EncodingKey::from_base64_secret("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==")
            .unwrap();
    assert!(refused(&sign("hmac", Algorithm::HS256, &secret, &claims())).contains("symmetric"));
    assert!(refused(&sign("no-alg", Algorithm::EdDSA, &ed_key(), &claims())).contains("no alg"));
}

#[test]
fn unknown_or_missing_kid_forged_or_unsigned_is_refused() {
    assert!(refused(&sign("other", Algorithm::EdDSA, &ed_key(), &claims())).contains("no key"));
    let no_kid =
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims(), &ed_key()).unwrap();
    assert!(refused(&no_kid).contains("no kid"));
    let token = sign("ed", Algorithm::EdDSA, &ed_key(), &claims());
    let (message, _) = token.rsplit_once('.').unwrap();
    let other = sign(
        "ed",
        Algorithm::EdDSA,
        &ed_key(),
        &json!({ "sub": "someone-else" }),
    );
    let (_, other_signature) = other.rsplit_once('.').unwrap();
    assert!(refused(&format!("{message}.{other_signature}")).contains("InvalidSignature"));
    // `{"alg":"none","kid":"ed"}`, unsigned.
    let (_, payload) = message.split_once('.').unwrap();
    assert!(!refused(&format!("eyJhbGciOiJub25lIiwia2lkIjoiZWQifQ.{payload}.")).is_empty());
    assert!(refused("not a token").contains("not a JWT"));
}
