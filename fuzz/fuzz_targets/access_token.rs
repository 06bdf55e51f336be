//! The access-token verifier (`JwtCodec::verify`, HS256) against arbitrary text, and
//! against arbitrary headers and claims that are *correctly signed* with its secret —
//! so the checks behind the signature (header shape, `alg`, `kid`, `iss`, `aud`, time
//! claims, ids) are reached too.
//!
//! Properties: it never panics, and whatever it accepts
//! - carries a valid HMAC-SHA-256 signature over its first two segments,
//! - has exactly the header `{alg: HS256, typ: JWT, kid: <current>}`,
//! - names this issuer and audience, is inside its `nbf`/`exp` window (with the
//!   leeway), and its ids and role are exactly the ones returned.

#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use portcullis_crypto::{JwtCodec, JwtConfig, JwtKey};
use portcullis_domain::Timestamp;
use portcullis_domain::ports::AccessTokenCodec;
use serde_json::{Map, Value, json};

const SECRET: [u8; 32] = [7; 32];
const ISSUER: &str = "https://auth.example.com";
const AUDIENCE: &str = "portcullis";
const LEEWAY: i64 = 30;
/// A fixed "now": 2026-11-25T12:00:00Z.
const NOW: i64 = 1_795_608_000;

static CODEC: LazyLock<JwtCodec> = LazyLock::new(|| {
    JwtCodec::new(JwtConfig {
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        leeway: Duration::from_secs(30),
        key: JwtKey::Hs256 {
            secret: SECRET.to_vec(),
        },
    })
    .expect("a valid codec configuration")
});

static KEY: LazyLock<hmac::Key> = LazyLock::new(|| hmac::Key::new(hmac::HMAC_SHA256, &SECRET));

fn now() -> Timestamp {
    chrono::DateTime::from_timestamp(NOW, 0).expect("a valid timestamp")
}

/// A text that is usually right.
#[derive(Debug, Arbitrary)]
enum Text {
    Right,
    Other(String),
    Absent,
    Number(i64),
}

/// A time claim relative to now.
#[derive(Debug, Arbitrary)]
enum Time {
    Offset(i16),
    Far(i64),
    Absent,
    Text(String),
    Float(f64),
}

#[derive(Debug, Arbitrary)]
struct Header {
    alg: Text,
    typ: Text,
    kid: Text,
    extra: Vec<(String, String)>,
}

#[derive(Debug, Arbitrary)]
struct Claims {
    iss: Text,
    aud: Text,
    aud_as_array: bool,
    sub: Option<u128>,
    sid: Option<u128>,
    role: Text,
    iat: Time,
    nbf: Time,
    exp: Time,
    jti: Option<u128>,
    extra: Vec<(String, i64)>,
}

#[derive(Debug, Arbitrary)]
enum Input {
    /// Any text at all.
    Raw(String),
    /// Structured header and claims, signed with the real secret.
    Signed {
        header: Box<Header>,
        claims: Box<Claims>,
        /// Flip one byte of the finished token.
        tamper: Option<(u16, u8)>,
    },
    /// Arbitrary header and claims text, signed with the real secret.
    SignedText { header: String, claims: String },
}

fn text(t: &Text, right: &str) -> Option<Value> {
    match t {
        Text::Right => Some(json!(right)),
        Text::Other(s) => Some(json!(s)),
        Text::Absent => None,
        Text::Number(n) => Some(json!(n)),
    }
}

fn time(t: &Time, base: i64) -> Option<Value> {
    match t {
        Time::Offset(o) => Some(json!(base + i64::from(*o))),
        Time::Far(n) => Some(json!(n)),
        Time::Absent => None,
        Time::Text(s) => Some(json!(s)),
        Time::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number),
    }
}

fn uuid_text(id: Option<u128>) -> Value {
    id.map_or_else(
        || json!("not-a-uuid"),
        |n| json!(uuid::Uuid::from_u128(n).to_string()),
    )
}

fn sign(header: &[u8], claims: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let tag = hmac::sign(&KEY, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

fn build(header: &Header, claims: &Claims) -> String {
    let mut h = Map::new();
    let kid = CODEC.current_kid().to_owned();
    for (name, value) in [
        ("alg", text(&header.alg, "HS256")),
        ("typ", text(&header.typ, "JWT")),
        ("kid", text(&header.kid, &kid)),
    ] {
        if let Some(v) = value {
            h.insert(name.to_owned(), v);
        }
    }
    for (k, v) in &header.extra {
        h.insert(k.clone(), json!(v));
    }
    let mut c = Map::new();
    let aud = text(&claims.aud, AUDIENCE).map(|a| if claims.aud_as_array { json!([a]) } else { a });
    for (name, value) in [
        ("iss", text(&claims.iss, ISSUER)),
        ("aud", aud),
        ("sub", Some(uuid_text(claims.sub))),
        ("sid", Some(uuid_text(claims.sid))),
        ("role", text(&claims.role, "user")),
        ("iat", time(&claims.iat, NOW)),
        ("nbf", time(&claims.nbf, NOW)),
        ("exp", time(&claims.exp, NOW + 900)),
        ("jti", Some(uuid_text(claims.jti))),
    ] {
        if let Some(v) = value {
            c.insert(name.to_owned(), v);
        }
    }
    for (k, v) in &claims.extra {
        c.insert(k.clone(), json!(v));
    }
    let header = serde_json::to_vec(&Value::Object(h)).unwrap_or_default();
    let claims = serde_json::to_vec(&Value::Object(c)).unwrap_or_default();
    sign(&header, &claims)
}

/// Everything an accepted token must be.
fn check_accepted(token: &str, claims: &portcullis_domain::AccessClaims) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(
        parts.len(),
        3,
        "accepted a token that is not three segments"
    );
    let signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .expect("accepted a signature that is not base64url");
    let signing_input = format!("{}.{}", parts[0], parts[1]);
    assert!(
        hmac::verify(&KEY, signing_input.as_bytes(), &signature).is_ok(),
        "accepted a token without a valid signature"
    );
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("header base64"))
            .expect("header JSON");
    let header = header.as_object().expect("header object");
    let mut names: Vec<&str> = header.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["alg", "kid", "typ"],
        "accepted a header with other parameters"
    );
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["kid"], CODEC.current_kid());
    let wire: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("claims base64"))
            .expect("claims JSON");
    assert_eq!(wire["iss"], ISSUER, "wrong issuer accepted");
    assert_eq!(wire["aud"], AUDIENCE, "wrong audience accepted");
    let exp = wire["exp"].as_i64().expect("exp is an integer");
    let nbf = wire["nbf"].as_i64().expect("nbf is an integer");
    assert!(exp + LEEWAY > NOW, "expired token accepted");
    assert!(nbf - LEEWAY <= NOW, "token before its nbf accepted");
    assert_eq!(wire["sub"], claims.user_id.to_string());
    assert_eq!(wire["sid"], claims.session_id.to_string());
    assert_eq!(wire["role"], claims.role.as_str());
    assert_eq!(claims.expires_at.timestamp(), exp);
}

fuzz_target!(|input: Input| {
    let token = match &input {
        Input::Raw(text) => text.clone(),
        Input::Signed {
            header,
            claims,
            tamper,
        } => {
            let mut token = build(header, claims).into_bytes();
            if let Some((at, xor)) = tamper
                && !token.is_empty()
            {
                let i = usize::from(*at) % token.len();
                token[i] ^= xor;
            }
            String::from_utf8_lossy(&token).into_owned()
        }
        Input::SignedText { header, claims } => sign(header.as_bytes(), claims.as_bytes()),
    };
    if let Ok(claims) = CODEC.verify(&token, now()) {
        check_accepted(&token, &claims);
    }
});
