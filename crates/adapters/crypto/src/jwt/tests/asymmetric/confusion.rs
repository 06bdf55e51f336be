//! Algorithm confusion against an asymmetric server: every forgery below gets the same
//! `InvalidAccessToken`, and (through the private path) for the reason the test means.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use super::{BOTH, Pair, assert_refused, codec, encoding_key, forge, jwks, pair, signed_by};
use crate::jwt::wire::Refusal;
use crate::jwt::{AsymmetricAlgorithm, JwtCodec};

fn header(alg: &str, kid: &str) -> Value {
    json!({ "alg": alg, "typ": "JWT", "kid": kid })
}

/// Every byte string an attacker might use as the HMAC key "because the verifier will
/// take its public key as the secret": the PEM (with and without the final newline),
/// the SPKI DER, the raw key, and the JWK text.
fn public_key_forms(codec: &JwtCodec, p: &Pair) -> Vec<Vec<u8>> {
    let doc = jwks(codec);
    let jwk = &doc["keys"][0];
    let raw = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let mut point = raw("x");
    if jwk["kty"] == "EC" {
        point.insert(0, 0x04);
        point.extend(raw("y"));
    }
    let spki = pem::parse(&p.public).unwrap().into_contents();
    vec![
        p.public.clone().into_bytes(),
        p.public.trim_end().as_bytes().to_vec(),
        p.public.replace('\n', "\r\n").into_bytes(),
        spki,
        raw("x"),
        point,
        jwk.to_string().into_bytes(),
    ]
}

#[test]
fn hs256_keyed_with_any_form_of_the_public_key_is_refused() {
    for algorithm in BOTH {
        let p = pair(algorithm);
        let server = codec(algorithm, &p, &[]);
        for secret in public_key_forms(&server, &p) {
            let token = forge(
                &header("HS256", server.current_kid()),
                &EncodingKey::from_secret(&secret),
                Algorithm::HS256,
            );
            assert_refused(&server, &token, Refusal::AlgorithmNotAllowed);
        }
    }
}

#[test]
fn hs256_keyed_with_the_public_key_is_refused_even_naming_the_right_alg() {
    // The header claims the server's algorithm but the MAC is HS256 over the public key:
    // the signature check (with the public key, as a signature) refuses it.
    for algorithm in BOTH {
        let p = pair(algorithm);
        let server = codec(algorithm, &p, &[]);
        for secret in public_key_forms(&server, &p) {
            let token = forge(
                &header(algorithm.as_str(), server.current_kid()),
                &EncodingKey::from_secret(&secret),
                Algorithm::HS256,
            );
            assert_refused(&server, &token, Refusal::BadSignature);
        }
    }
}

#[test]
fn alg_none_is_refused() {
    for algorithm in BOTH {
        let server = codec(algorithm, &pair(algorithm), &[]);
        let valid = signed_by(&server);
        let (_, claims_and_signature) = valid.split_once('.').unwrap();
        let (claims, signature) = claims_and_signature.split_once('.').unwrap();
        for alg in ["none", "None", "NONE"] {
            let h = URL_SAFE_NO_PAD.encode(header(alg, server.current_kid()).to_string());
            assert_refused(&server, &format!("{h}.{claims}."), Refusal::NotCompactJws);
            assert_refused(
                &server,
                &format!("{h}.{claims}.{signature}"),
                Refusal::AlgorithmNotAllowed,
            );
        }
    }
}

#[test]
fn a_token_of_the_other_asymmetric_algorithm_is_refused() {
    // ES256 to an EdDSA server and EdDSA to an ES256 server, with the signer's own kid
    // (unknown here) and with the server's kid (wrong algorithm for that key).
    for (server_alg, other_alg) in [
        (AsymmetricAlgorithm::EdDsa, AsymmetricAlgorithm::Es256),
        (AsymmetricAlgorithm::Es256, AsymmetricAlgorithm::EdDsa),
    ] {
        let server = codec(server_alg, &pair(server_alg), &[]);
        let other_pair = pair(other_alg);
        let other = codec(other_alg, &other_pair, &[]);
        assert_refused(&server, &signed_by(&other), Refusal::UnknownKid);
        let token = forge(
            &header(other_alg.as_str(), server.current_kid()),
            &encoding_key(other_alg, &other_pair),
            other_alg.jose(),
        );
        assert_refused(&server, &token, Refusal::AlgorithmNotAllowed);
    }
}

#[test]
fn other_names_for_the_configured_algorithm_are_refused() {
    // The header's `alg` must be the JOSE name exactly; Ed25519 and ES256K are other
    // things, and case variants are not the same name.
    let p = pair(AsymmetricAlgorithm::EdDsa);
    let server = codec(AsymmetricAlgorithm::EdDsa, &p, &[]);
    let key = encoding_key(AsymmetricAlgorithm::EdDsa, &p);
    for alg in [
        "eddsa", "EDDSA", "Ed25519", "EdDSA ", "ES256K", "RS256", "PS256",
    ] {
        let token = forge(&header(alg, server.current_kid()), &key, Algorithm::EdDSA);
        assert_refused(&server, &token, Refusal::AlgorithmNotAllowed);
    }
}

#[test]
fn unknown_kid_is_refused() {
    for algorithm in BOTH {
        let p = pair(algorithm);
        let server = codec(algorithm, &p, &[]);
        let key = encoding_key(algorithm, &p);
        let stranger = codec(algorithm, &pair(algorithm), &[]);
        for kid in [
            "unknown",
            stranger.current_kid(),
            &server.current_kid().to_ascii_lowercase(),
            &server.current_kid()[..42],
        ] {
            let token = forge(&header(algorithm.as_str(), kid), &key, algorithm.jose());
            assert_refused(&server, &token, Refusal::UnknownKid);
        }
    }
}

#[test]
fn another_key_signing_under_the_configured_kid_is_refused() {
    for algorithm in BOTH {
        let server = codec(algorithm, &pair(algorithm), &[&pair(algorithm)]);
        let attacker = pair(algorithm);
        let token = forge(
            &header(algorithm.as_str(), server.current_kid()),
            &encoding_key(algorithm, &attacker),
            algorithm.jose(),
        );
        assert_refused(&server, &token, Refusal::BadSignature);
    }
}

#[test]
fn an_hs256_server_refuses_asymmetric_tokens() {
    let hs256 = super::super::codec();
    for algorithm in BOTH {
        let p = pair(algorithm);
        let signer = codec(algorithm, &p, &[]);
        assert_refused(&hs256, &signed_by(&signer), Refusal::UnknownKid);
        let token = forge(
            &header(algorithm.as_str(), hs256.current_kid()),
            &encoding_key(algorithm, &p),
            algorithm.jose(),
        );
        assert_refused(&hs256, &token, Refusal::AlgorithmNotAllowed);
    }
}
