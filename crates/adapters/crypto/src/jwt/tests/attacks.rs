//! One test per known attack on JWT verification. Each starts from the accepted
//! `forge(&header(), &wire_claims())` baseline, changes one thing, and expects the same
//! `InvalidAccessToken` as every other failure.

use jsonwebtoken::Algorithm;
use serde_json::json;

use super::{
    AUDIENCE, LEEWAY, SECRET, assert_accepted, assert_refused, b64, codec, forge, forge_raw,
    header, kid, now, wire_claims,
};
use crate::jwt::MAX_TOKEN_BYTES;
use crate::jwt::wire::Refusal;
use portcullis_domain::ports::AccessTokenCodec;

#[test]
fn alg_none_in_any_case_is_refused() {
    let claims = wire_claims().to_string();
    let valid = forge(&header(), &wire_claims());
    let valid_signature = valid.rsplit('.').next().unwrap();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let h = json!({ "alg": alg, "typ": "JWT", "kid": kid() }).to_string();
        let unsigned = format!("{}.{}.", b64(&h), b64(&claims));
        assert_refused(&unsigned, Refusal::NotCompactJws);
        assert_refused(
            &format!("{unsigned}{valid_signature}"),
            Refusal::AlgorithmNotAllowed,
        );
    }
}

#[test]
fn hs384_resigned_with_the_right_secret_is_refused() {
    let h = json!({ "alg": "HS384", "typ": "JWT", "kid": kid() }).to_string();
    let claims = wire_claims().to_string();
    assert_refused(
        &forge_raw(&h, &claims, SECRET, Algorithm::HS384),
        Refusal::AlgorithmNotAllowed,
    );
}

#[test]
fn hs512_resigned_with_the_right_secret_is_refused() {
    let h = json!({ "alg": "HS512", "typ": "JWT", "kid": kid() }).to_string();
    let claims = wire_claims().to_string();
    assert_refused(
        &forge_raw(&h, &claims, SECRET, Algorithm::HS512),
        Refusal::AlgorithmNotAllowed,
    );
}

#[test]
fn asymmetric_alg_name_with_the_hmac_key_is_refused() {
    // Algorithm confusion: claim RS256/ES256/EdDSA but sign with the shared secret.
    for alg in ["RS256", "ES256", "EdDSA", "PS256", "hs256"] {
        let h = json!({ "alg": alg, "typ": "JWT", "kid": kid() }).to_string();
        let claims = wire_claims().to_string();
        assert_refused(
            &forge_raw(&h, &claims, SECRET, Algorithm::HS256),
            Refusal::AlgorithmNotAllowed,
        );
    }
}

#[test]
fn wrong_secret_is_refused() {
    let h = header().to_string();
    let claims = wire_claims().to_string();
    let other = b"another-secret-of-enough-length-0123456789";
    assert_refused(
        &forge_raw(&h, &claims, other, Algorithm::HS256),
        Refusal::BadSignature,
    );
}

fn with_header_param(name: &str, value: serde_json::Value) -> String {
    let mut h = header();
    h[name] = value;
    forge(&h, &wire_claims())
}

#[test]
fn jwk_header_is_refused() {
    let jwk = json!({ "kty": "oct", "k": b64("attacker-chosen-secret-0123456789ab") });
    assert_refused(&with_header_param("jwk", jwk), Refusal::KeyBearingHeader);
}

#[test]
fn jku_header_is_refused() {
    assert_refused(
        &with_header_param("jku", json!("https://attacker.example/jwks.json")),
        Refusal::KeyBearingHeader,
    );
}

#[test]
fn x5u_header_is_refused() {
    assert_refused(
        &with_header_param("x5u", json!("https://attacker.example/cert.pem")),
        Refusal::KeyBearingHeader,
    );
}

#[test]
fn x5c_header_is_refused() {
    assert_refused(
        &with_header_param("x5c", json!(["MIIBszCCAVmgAwIBAgIU"])),
        Refusal::KeyBearingHeader,
    );
}

#[test]
fn other_header_parameters_are_refused() {
    assert_refused(
        &with_header_param("crit", json!(["exp"])),
        Refusal::BadHeader,
    );
    assert_refused(&with_header_param("b64", json!(false)), Refusal::BadHeader);
    assert_refused(
        &with_header_param("typ", json!("at+jwt")),
        Refusal::WrongType,
    );
    let mut no_typ = header();
    no_typ.as_object_mut().unwrap().remove("typ");
    assert_refused(&forge(&no_typ, &wire_claims()), Refusal::WrongType);
}

#[test]
fn duplicate_header_parameter_is_refused() {
    let h = format!(
        r#"{{"alg":"none","alg":"HS256","typ":"JWT","kid":"{}"}}"#,
        kid()
    );
    let claims = wire_claims().to_string();
    assert_refused(
        &forge_raw(&h, &claims, SECRET, Algorithm::HS256),
        Refusal::BadHeader,
    );
}

#[test]
fn unknown_kid_is_refused() {
    assert_refused(
        &with_header_param("kid", json!("some-other-key")),
        Refusal::UnknownKid,
    );
    assert_refused(&with_header_param("kid", json!("")), Refusal::UnknownKid);
    assert_refused(&with_header_param("kid", json!(42)), Refusal::BadHeader);
}

#[test]
fn missing_kid_is_refused() {
    let mut h = header();
    h.as_object_mut().unwrap().remove("kid");
    assert_refused(&forge(&h, &wire_claims()), Refusal::MissingKid);
}

#[test]
fn huge_kid_is_refused() {
    assert_refused(
        &with_header_param("kid", json!("k".repeat(16 * 1024))),
        Refusal::TooLong,
    );
    // Under the token size cap too: the kid bound refuses it before any lookup.
    assert_refused(
        &with_header_param("kid", json!("k".repeat(1024))),
        Refusal::UnknownKid,
    );
}

#[test]
fn tampered_payload_is_refused() {
    let token = forge(&header(), &wire_claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = wire_claims();
    claims["role"] = json!("admin");
    let tampered = format!("{}.{}.{}", parts[0], b64(&claims.to_string()), parts[2]);
    assert_refused(&tampered, Refusal::BadSignature);
}

#[test]
fn tampered_signature_is_refused() {
    let token = forge(&header(), &wire_claims());
    let (message, signature) = token.rsplit_once('.').unwrap();
    // Change one full 6-bit character in the middle: still canonical base64url.
    let mut flipped = signature.to_owned();
    let middle = if &signature[20..21] == "A" { "B" } else { "A" };
    flipped.replace_range(20..21, middle);
    assert_refused(&format!("{message}.{flipped}"), Refusal::BadSignature);
    // Another token's valid signature.
    let other = forge(&header(), &wire_claims());
    let (_, other_signature) = other.rsplit_once('.').unwrap();
    assert_refused(
        &format!("{message}.{other_signature}"),
        Refusal::BadSignature,
    );
}

#[test]
fn missing_exp_is_refused() {
    let mut claims = wire_claims();
    claims.as_object_mut().unwrap().remove("exp");
    assert_refused(&forge(&header(), &claims), Refusal::Malformed);
}

#[test]
fn missing_registered_claims_are_refused() {
    for name in ["iss", "aud", "sub", "sid", "role", "iat", "nbf", "jti"] {
        let mut claims = wire_claims();
        claims.as_object_mut().unwrap().remove(name);
        assert_refused(&forge(&header(), &claims), Refusal::Malformed);
    }
}

#[test]
fn expired_beyond_leeway_is_refused_and_within_leeway_accepted() {
    let at = now().timestamp();
    let mut claims = wire_claims();
    claims["iat"] = json!(at - 900);
    claims["nbf"] = json!(at - 900);
    claims["exp"] = json!(at - LEEWAY + 1);
    assert_accepted(&forge(&header(), &claims));
    claims["exp"] = json!(at - LEEWAY);
    assert_refused(&forge(&header(), &claims), Refusal::Expired);
    claims["exp"] = json!(at - 3600);
    assert_refused(&forge(&header(), &claims), Refusal::Expired);
}

#[test]
fn nbf_in_the_future_beyond_leeway_is_refused() {
    let at = now().timestamp();
    let mut claims = wire_claims();
    claims["nbf"] = json!(at + LEEWAY);
    assert_accepted(&forge(&header(), &claims));
    claims["nbf"] = json!(at + LEEWAY + 1);
    assert_refused(&forge(&header(), &claims), Refusal::NotYetValid);
}

#[test]
fn iat_in_the_future_beyond_leeway_is_refused() {
    let mut claims = wire_claims();
    claims["iat"] = json!(now().timestamp() + LEEWAY + 1);
    assert_refused(&forge(&header(), &claims), Refusal::IssuedInFuture);
}

#[test]
fn wrong_iss_is_refused() {
    let mut claims = wire_claims();
    claims["iss"] = json!("https://attacker.example");
    assert_refused(&forge(&header(), &claims), Refusal::WrongIssuer);
}

#[test]
fn wrong_aud_is_refused() {
    let mut claims = wire_claims();
    claims["aud"] = json!("another-service");
    assert_refused(&forge(&header(), &claims), Refusal::WrongAudience);
    // Arrays are never issued here, so they are refused even when they name us.
    claims["aud"] = json!(["another-service"]);
    assert_refused(&forge(&header(), &claims), Refusal::Malformed);
    claims["aud"] = json!([AUDIENCE, "another-service"]);
    assert_refused(&forge(&header(), &claims), Refusal::Malformed);
}

#[test]
fn token_of_16_kib_is_refused() {
    let mut claims = wire_claims();
    claims["pad"] = json!("p".repeat(5 * 1024));
    let under = forge(&header(), &claims);
    assert!(under.len() < MAX_TOKEN_BYTES);
    assert_accepted(&under);
    claims["pad"] = json!("p".repeat(12 * 1024));
    let over = forge(&header(), &claims);
    assert!(over.len() >= 16 * 1024);
    assert_refused(&over, Refusal::TooLong);
}

#[test]
fn five_part_jwe_is_refused() {
    let h = json!({ "alg": "dir", "enc": "A256GCM", "kid": kid() }).to_string();
    let jwe = format!("{}..{}.{}.{}", b64(&h), b64("iv"), b64("ct"), b64("tag"));
    assert_refused(&jwe, Refusal::NotCompactJws);
    let valid = forge(&header(), &wire_claims());
    let five = format!("{valid}.{}.{}", b64("x"), b64("y"));
    assert_refused(&five, Refusal::NotCompactJws);
}

#[test]
fn non_base64url_garbage_is_refused() {
    let valid = forge(&header(), &wire_claims());
    for garbage in [
        "not a token".to_owned(),
        "!!!.???.***".to_owned(),
        "a.b".to_owned(),
        "..".to_owned(),
        "é.é.é".to_owned(),
        valid.replacen('.', "+", 1),
        format!("{valid}="),
        format!(" {valid}"),
        valid.replace('-', "+").replace('_', "/") + "/+",
    ] {
        assert_refused(&garbage, Refusal::NotCompactJws);
    }
}

#[test]
fn empty_string_is_refused() {
    assert_refused("", Refusal::NotCompactJws);
}

#[test]
fn non_uuid_sub_is_refused() {
    let mut claims = wire_claims();
    claims["sub"] = json!("admin");
    assert_refused(&forge(&header(), &claims), Refusal::BadSubject);
    claims["sub"] = json!(42);
    assert_refused(&forge(&header(), &claims), Refusal::Malformed);
}

#[test]
fn malformed_session_role_or_jti_is_refused() {
    for (name, value, why) in [
        ("sid", json!("not-a-uuid"), Refusal::BadSession),
        ("role", json!("root"), Refusal::BadRole),
        ("role", json!("Admin"), Refusal::BadRole),
        ("jti", json!(""), Refusal::BadTokenId),
        ("exp", json!("tomorrow"), Refusal::Malformed),
        ("exp", json!(-1), Refusal::MissingClaim),
        ("exp", json!(1.5e300), Refusal::Malformed),
    ] {
        let mut claims = wire_claims();
        claims[name] = value;
        assert_refused(&forge(&header(), &claims), why);
    }
}

#[test]
fn verification_ignores_the_system_clock() {
    // `now()` is years from the real clock; a token valid then is valid, and one
    // valid at the real time is not.
    let codec = codec();
    let real = chrono::Utc::now();
    let token = codec.sign(&super::access_claims(real)).unwrap();
    assert!(codec.verify(token.expose(), real).is_ok());
    assert_refused(token.expose(), Refusal::Expired);
}
