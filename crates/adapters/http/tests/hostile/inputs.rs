//! What a hostile client sends, as proptest strategies: the operations to aim at (from
//! the OpenAPI document, which `tests/openapi.rs` holds equal to the route table), path
//! segments, query strings, headers, arbitrary bytes and arbitrary JSON text — nested,
//! with NUL, lone-surrogate escapes, bidi overrides, huge numbers and wrong types.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

use super::support::{APP, METRICS_TOKEN, PASSWORD};

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper-case method.
    pub method: String,
    /// OpenAPI path with `{params}`.
    pub path: String,
    /// The properties of its JSON body, when it takes one.
    pub fields: Vec<String>,
    /// Its query parameters.
    pub params: Vec<String>,
}

/// Every operation of the OpenAPI document.
pub fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(portcullis_http::openapi::document()).unwrap();
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                doc["components"]["schemas"][name].clone()
            }
            None => schema.clone(),
        }
    };
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let schema = resolve(&op["requestBody"]["content"]["application/json"]["schema"]);
            let fields = schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                fields,
                params,
            });
        }
    }
    assert!(
        out.len() >= 25,
        "the OpenAPI document lists too few operations: {out:?}"
    );
    assert!(
        out.iter().filter(|op| !op.fields.is_empty()).count() >= 10,
        "the document's request bodies were not found: {out:?}"
    );
    out
}

/// Every body field name some endpoint accepts: objects built from them get past
/// `deny_unknown_fields` and reach the parsers behind it.
const FIELDS: &[&str] = &[
    "email",
    "password",
    "name",
    "username",
    "token_delivery",
    "refresh_token",
    "token",
    "new_password",
    "current_password",
    "role",
    "code",
    "mfa_token",
    "id",
    "email_verified",
];

/// Query parameter names of the list endpoints.
const PARAMS: &[&str] = &["limit", "cursor", "q", "user_id", "type", "redirect_to"];

/// Texts that are almost right, or right: real values reach the use cases.
const PLAUSIBLE: &[&str] = &[
    "a@example.com",
    "admin1@example.com",
    "ADMIN1@EXAMPLE.COM",
    PASSWORD,
    "admin",
    "user",
    "body",
    "cookie",
    "Ada",
    "ada_l",
    "000000",
    "0190b5a0-0000-7000-8000-000000000000",
    "00000000000000000000000000000000",
    "x@y",
    "@example.com",
    "a@b.c\u{0}",
    "a@exa\u{202e}mple.com",
    "\u{202e}Ada",
    "Ada\u{200f}",
    "A\u{0}da",
    "a\u{301}\u{301}\u{301}",
    "💥💥💥💥💥💥💥💥",
    " ",
    "",
];

/// Numbers no integer type holds, and other number edge cases.
const NUMBERS: &[&str] = &[
    "1e999",
    "-1e999",
    "1e-999",
    "123456789012345678901234567890123456789",
    "-0",
    "0.0000000000000000000000000000001",
    "18446744073709551616",
    "-9223372036854775809",
    "1.7976931348623157e308",
    "4294967296",
];

/// Escapes and characters that break naive string handling.
const STRING_PARTS: &[&str] = &[
    r"\ud800",
    r"\udfff",
    r"\ud800\u0041",
    r"\udc00\ud800",
    r"\u0000",
    "\u{202e}",
    "\u{202d}",
    "\u{2066}",
    "\u{200b}",
    "\u{feff}",
    r"\r\n",
    r#"\""#,
    r"\\",
    "%00",
    "'; DROP TABLE users; --",
    "${jndi:x}",
    "../../etc/passwd",
    "<script>",
];

/// A JSON string literal (with its quotes) of hostile parts.
fn json_string() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            3 => any::<char>().prop_map(|c| {
                let quoted = serde_json::to_string(&c.to_string()).unwrap_or_default();
                quoted.trim_matches('"').to_owned()
            }),
            2 => select(STRING_PARTS).prop_map(str::to_owned),
            1 => select(PLAUSIBLE).prop_map(|s| {
                let quoted = serde_json::to_string(s).unwrap_or_default();
                quoted.trim_matches('"').to_owned()
            }),
            1 => (1usize..400).prop_map(|n| "x".repeat(n)),
        ],
        0..12,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(FIELDS).prop_map(|f| format!("\"{f}\"")),
        1 => json_string(),
    ]
}

fn json_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        select(NUMBERS).prop_map(str::to_owned),
        json_string(),
        json_string(),
    ]
}

/// Arbitrary JSON text: any value, nested up to 12 levels (deeper than accepted).
pub fn json_value() -> impl Strategy<Value = String> {
    json_leaf().prop_recursive(12, 96, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            vec((json_key(), inner), 0..6).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// Good values for a field, so that whole bodies are often valid and reach the use
/// cases (and storage), where the hostile values then land.
fn good_values(field: &str) -> &'static [&'static str] {
    match field {
        "email" => &["a@example.com", "admin1@example.com", "b@example.com"],
        "password" | "new_password" | "current_password" => {
            &[PASSWORD, "another long passphrase 9"]
        }
        "name" => &["Ada", "Grace Hopper"],
        "username" => &["ada_l", "grace"],
        "token_delivery" => &["body", "cookie"],
        "role" => &["user", "admin"],
        "code" => &["000000", "123456"],
        _ => &["AZ-8dk1hRyC7T1nqfXy6oA5nfS8BvFq8xdXlzNnU2bJt4b4PdCH2p1xY2W_1ZxYz"],
    }
}

/// A body for `fields`: each field (usually) present with a good, plausible or hostile
/// value; sometimes an unknown or repeated field.
fn object_of(fields: &[String]) -> impl Strategy<Value = String> + use<> {
    let members: Vec<BoxedStrategy<Option<String>>> = fields
        .iter()
        .map(|field| {
            let key = field.clone();
            let value = prop_oneof![
                6 => select(good_values(field)).prop_map(|s| serde_json::to_string(s).unwrap_or_default()),
                2 => json_string(),
                1 => select(PLAUSIBLE).prop_map(|s| serde_json::to_string(s).unwrap_or_default()),
                1 => json_value(),
            ];
            proptest::option::weighted(0.85, value)
                .prop_map(move |v| v.map(|v| format!("\"{key}\":{v}")))
                .boxed()
        })
        .collect();
    let extra = proptest::option::weighted(0.1, (json_key(), json_leaf()));
    (members, extra).prop_map(|(members, extra)| {
        let mut members: Vec<String> = members.into_iter().flatten().collect();
        if let Some((k, v)) = extra {
            members.push(format!("{k}:{v}"));
        }
        format!("{{{}}}", members.join(","))
    })
}

/// A body an endpoint might take: mostly an object of its own fields, else an object
/// of any known fields (duplicates possible), else any JSON value at all.
pub fn json_body(fields: &[String]) -> impl Strategy<Value = String> + use<> {
    let value = prop_oneof![
        2 => select(PLAUSIBLE).prop_map(|s| serde_json::to_string(s).unwrap_or_default()),
        3 => json_value(),
    ];
    let any_fields = vec((select(FIELDS), value), 0..6).prop_map(|members| {
        let members: Vec<String> = members
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", members.join(","))
    });
    prop_oneof![
        4 => object_of(fields),
        2 => any_fields,
        1 => json_value(),
    ]
}

/// Arbitrary bytes, sometimes JSON-looking, sometimes over the 16 KiB limit.
pub fn raw_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => vec(any::<u8>(), 0..600),
        2 => json_body(&[]).prop_map(|text| {
            // Cut or corrupt well-formed JSON.
            let mut bytes = text.into_bytes();
            let cut = bytes.len() / 2;
            bytes.truncate(cut.max(1));
            bytes
        }),
        1 => Just(Vec::new()),
        1 => (16 * 1024 - 8..16 * 1024 + 64usize).prop_map(|n| vec![b'['; n]),
    ]
}

/// `Content-Type` values: right, nearly right, wrong, absent.
pub fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => Just(Some("application/json".to_owned())),
        1 => Just(Some("application/json; charset=utf-8".to_owned())),
        1 => Just(Some("APPLICATION/JSON;;;".to_owned())),
        1 => Just(Some("text/plain".to_owned())),
        1 => Just(Some("application/x-www-form-urlencoded".to_owned())),
        1 => Just(None),
        1 => "[ -~]{0,40}".prop_map(Some),
    ]
}

/// How a case authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No credentials.
    None,
    /// The actor's valid token as `Authorization: Bearer`.
    Bearer,
    /// The actor's valid token as the access cookie.
    Cookie,
    /// `Authorization` with arbitrary (header-safe) text.
    Garbage(String),
}

pub fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        2 => Just(Auth::None),
        4 => Just(Auth::Bearer),
        2 => Just(Auth::Cookie),
        1 => "[ -~]{0,200}".prop_map(Auth::Garbage),
        1 => Just(Auth::Garbage(format!("Bearer {METRICS_TOKEN}"))),
    ]
}

/// A path segment for `{param}`.
#[derive(Debug, Clone)]
pub enum Segment {
    /// The actor's user id.
    Own,
    /// Any text (percent-encoded into the path).
    Text(String),
}

pub fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        2 => Just(Segment::Own),
        1 => Just(Segment::Text(uuid::Uuid::now_v7().to_string())),
        2 => select(PLAUSIBLE).prop_map(|s| Segment::Text(s.to_owned())),
        3 => any::<String>().prop_map(Segment::Text),
        1 => (0usize..600).prop_map(|n| Segment::Text("a".repeat(n))),
    ]
}

/// A query string: the operation's own or random names with arbitrary values, or raw
/// URI-safe text (stray `%`, missing `=`, repeated `&`).
pub fn query(params: &[String]) -> impl Strategy<Value = String> + use<> {
    let mut names: Vec<String> = params.to_vec();
    names.extend(PARAMS.iter().map(|p| (*p).to_owned()));
    let pair = (
        prop_oneof![
            3 => select(names),
            1 => any::<String>(),
        ],
        prop_oneof![
            1 => select(PLAUSIBLE).prop_map(str::to_owned),
            1 => select(NUMBERS).prop_map(str::to_owned),
            1 => (0u32..200).prop_map(|n| n.to_string()),
            2 => any::<String>(),
        ],
    );
    prop_oneof![
        2 => Just(String::new()),
        3 => vec(pair, 0..4).prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap_or_default()),
        1 => "[a-zA-Z0-9%&=+._~-]{0,60}",
    ]
}

/// `Origin` on the request.
pub fn origin() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        6 => Just(None),
        2 => Just(Some(APP)),
        1 => Just(Some("null")),
        1 => Just(Some("https://evil.example")),
    ]
}

/// Percent-encodes a path segment (every byte that is not unreserved).
pub fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
