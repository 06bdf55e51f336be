//! `EdDSA` and `ES256`: round trips, the RFC 7638 `kid`, the JWKS document. Rotation,
//! algorithm confusion and PEM loading have their own files.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use portcullis_domain::ports::{AccessTokenCodec, InvalidAccessToken};
use serde_json::{Value, json};

use super::{AUDIENCE, ISSUER, LEEWAY, access_claims, b64, now};
use crate::jwt::wire::Refusal;
use crate::jwt::{AsymmetricAlgorithm, JwtCodec, JwtConfig, JwtKey, generate_keypair};

mod confusion;
mod openssl;
mod pem_files;
mod rotation;

const BOTH: [AsymmetricAlgorithm; 2] = [AsymmetricAlgorithm::EdDsa, AsymmetricAlgorithm::Es256];

/// A freshly generated key pair: (private PKCS#8 PEM, public SPKI PEM).
struct Pair {
    private: String,
    public: String,
}

fn pair(algorithm: AsymmetricAlgorithm) -> Pair {
    let (private, public) = generate_keypair(algorithm).unwrap();
    Pair { private, public }
}

fn key(algorithm: AsymmetricAlgorithm, signing: &Pair, verify: &[&Pair]) -> JwtKey {
    let verify: Vec<Vec<u8>> = verify
        .iter()
        .map(|p| p.public.clone().into_bytes())
        .collect();
    JwtKey::from_pem(algorithm, signing.private.as_bytes(), &verify).unwrap()
}

fn codec_with(key: JwtKey) -> JwtCodec {
    JwtCodec::new(JwtConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        leeway: Duration::from_secs(LEEWAY.unsigned_abs()),
        key,
    })
    .unwrap()
}

fn codec(algorithm: AsymmetricAlgorithm, signing: &Pair, verify: &[&Pair]) -> JwtCodec {
    codec_with(key(algorithm, signing, verify))
}

fn jwks(codec: &JwtCodec) -> Value {
    serde_json::from_str(&codec.jwks_json()).unwrap()
}

fn kids(codec: &JwtCodec) -> Vec<String> {
    jwks(codec)["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn signed_by(codec: &JwtCodec) -> String {
    codec
        .sign(&access_claims(now()))
        .unwrap()
        .expose()
        .to_owned()
}

/// A token with exactly this header and the valid claims of `super::wire_claims`,
/// signed with `key` under `alg` (which need not match the header).
fn forge(header: &Value, key: &EncodingKey, alg: Algorithm) -> String {
    let message = format!(
        "{}.{}",
        b64(&header.to_string()),
        b64(&super::wire_claims().to_string())
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

fn assert_refused(codec: &JwtCodec, token: &str, why: Refusal) {
    assert_eq!(codec.check(token, now()).err(), Some(why));
    assert_eq!(codec.verify(token, now()), Err(InvalidAccessToken));
}

#[test]
fn round_trip_for_both_algorithms() {
    for algorithm in BOTH {
        let codec = codec(algorithm, &pair(algorithm), &[]);
        let claims = access_claims(now());
        let token = codec.sign(&claims).unwrap();
        assert_eq!(codec.verify(token.expose(), now()).unwrap(), claims);
        let header = token.expose().split('.').next().unwrap();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(
            header,
            json!({ "alg": algorithm.as_str(), "typ": "JWT", "kid": codec.current_kid() })
        );
    }
}

#[test]
fn hand_forged_baseline_is_accepted() {
    // The confusion tests change one thing in this token.
    for algorithm in BOTH {
        let p = pair(algorithm);
        let codec = codec(algorithm, &p, &[]);
        let h = json!({ "alg": algorithm.as_str(), "typ": "JWT", "kid": codec.current_kid() });
        let token = forge(&h, &encoding_key(algorithm, &p), algorithm.jose());
        assert!(codec.verify(&token, now()).is_ok());
    }
}

fn encoding_key(algorithm: AsymmetricAlgorithm, p: &Pair) -> EncodingKey {
    match algorithm {
        AsymmetricAlgorithm::EdDsa => EncodingKey::from_ed_pem(p.private.as_bytes()).unwrap(),
        AsymmetricAlgorithm::Es256 => EncodingKey::from_ec_pem(p.private.as_bytes()).unwrap(),
    }
}

/// RFC 8037 Appendix A.1: the Ed25519 private key `d` (the seed) and public key `x`.
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// The RFC 8037 key as the PKCS#8 v1 PEM an operator would have (RFC 8410 §7 layout).
fn rfc8037_private_pem() -> String {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend(URL_SAFE_NO_PAD.decode(RFC8037_D).unwrap());
    pem::encode(&pem::Pem::new("PRIVATE KEY", der))
}

#[test]
fn kid_is_the_rfc7638_thumbprint_of_the_rfc8037_example_key() {
    let key = JwtKey::from_pem(
        AsymmetricAlgorithm::EdDsa,
        rfc8037_private_pem().as_bytes(),
        &[],
    )
    .unwrap();
    let codec = codec_with(key);
    // RFC 8037 Appendix A.3.
    assert_eq!(
        codec.current_kid(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        jwks(&codec),
        json!({ "keys": [{
            "kty": "OKP", "crv": "Ed25519", "x": RFC8037_X,
            "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "alg": "EdDSA", "use": "sig",
        }] })
    );
}

#[test]
fn rfc8037_example_signature_is_reproduced() {
    // RFC 8037 Appendix A.4: Ed25519 is deterministic, so the loaded key must give
    // exactly the published signature.
    let key = JwtKey::from_pem(
        AsymmetricAlgorithm::EdDsa,
        rfc8037_private_pem().as_bytes(),
        &[],
    )
    .unwrap();
    let JwtKey::EdDsa(keys) = key else {
        panic!("an EdDSA key");
    };
    let message = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &keys.0.signing, Algorithm::EdDSA).unwrap();
    assert_eq!(
        signature,
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

#[test]
fn kid_agrees_with_jsonwebtokens_own_thumbprint() {
    for algorithm in BOTH {
        let codec = codec(algorithm, &pair(algorithm), &[&pair(algorithm)]);
        let set: JwkSet = serde_json::from_str(&codec.jwks_json()).unwrap();
        assert_eq!(set.keys.len(), 2);
        for jwk in &set.keys {
            let kid = jwk.common.key_id.as_deref().unwrap();
            assert_eq!(jwk.thumbprint(ThumbprintHash::SHA256).unwrap(), kid);
            assert_eq!(kid.len(), 43);
        }
        assert_eq!(
            set.keys[0].common.key_id.as_deref(),
            Some(codec.current_kid())
        );
    }
}

#[test]
fn jwks_publishes_exactly_the_public_members() {
    let ed = codec(
        AsymmetricAlgorithm::EdDsa,
        &pair(AsymmetricAlgorithm::EdDsa),
        &[],
    );
    let es = codec(
        AsymmetricAlgorithm::Es256,
        &pair(AsymmetricAlgorithm::Es256),
        &[],
    );
    for (codec, names) in [
        (&ed, vec!["alg", "crv", "kid", "kty", "use", "x"]),
        (&es, vec!["alg", "crv", "kid", "kty", "use", "x", "y"]),
    ] {
        let doc = jwks(codec);
        let jwk = doc["keys"][0].as_object().unwrap();
        let mut keys: Vec<&str> = jwk.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, names);
        assert_eq!(jwk["use"], "sig");
    }
    assert_eq!(jwks(&ed)["keys"][0]["kty"], "OKP");
    assert_eq!(jwks(&ed)["keys"][0]["crv"], "Ed25519");
    assert_eq!(jwks(&ed)["keys"][0]["alg"], "EdDSA");
    assert_eq!(jwks(&es)["keys"][0]["kty"], "EC");
    assert_eq!(jwks(&es)["keys"][0]["crv"], "P-256");
    assert_eq!(jwks(&es)["keys"][0]["alg"], "ES256");
}

#[test]
fn a_downstream_service_verifies_with_the_jwks_alone() {
    // What examples/verify-token does: JwkSet, DecodingKey::from_jwk, alg from the JWK.
    for algorithm in BOTH {
        let codec = codec(algorithm, &pair(algorithm), &[]);
        let token = codec.sign(&access_claims(chrono::Utc::now())).unwrap();
        let set: JwkSet = serde_json::from_str(&codec.jwks_json()).unwrap();
        let kid = jsonwebtoken::decode_header(token.expose())
            .unwrap()
            .kid
            .unwrap();
        let jwk = set.find(&kid).unwrap();
        let alg = Algorithm::try_from(jwk.common.key_algorithm.unwrap()).unwrap();
        assert_eq!(alg, algorithm.jose());
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        let key = DecodingKey::from_jwk(jwk).unwrap();
        let data = jsonwebtoken::decode::<Value>(token.expose(), &key, &validation).unwrap();
        assert_eq!(data.claims["iss"], ISSUER);
    }
}

#[test]
fn algorithm_names_parse_in_any_case() {
    for (text, algorithm) in [
        ("EdDSA", AsymmetricAlgorithm::EdDsa),
        ("eddsa", AsymmetricAlgorithm::EdDsa),
        ("ES256", AsymmetricAlgorithm::Es256),
        ("es256", AsymmetricAlgorithm::Es256),
    ] {
        assert_eq!(text.parse::<AsymmetricAlgorithm>(), Ok(algorithm));
    }
    for bad in ["HS256", "RS256", "ES384", "Ed25519", "", "none"] {
        assert!(bad.parse::<AsymmetricAlgorithm>().is_err(), "{bad}");
    }
    assert_eq!(AsymmetricAlgorithm::EdDsa.to_string(), "EdDSA");
    assert_eq!(
        JwtKey::from_pem(
            AsymmetricAlgorithm::Es256,
            pair(AsymmetricAlgorithm::Es256).private.as_bytes(),
            &[]
        )
        .unwrap()
        .algorithm_name(),
        "ES256"
    );
}
