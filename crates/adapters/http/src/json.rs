//! JSON request bodies per SPEC §3: `application/json` only (415), at most 16 KiB
//! counted on the wire whatever the transfer encoding (413), nested at most
//! [`MAX_DEPTH`] levels, unknown fields and duplicate keys refused (400).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Largest accepted body.
pub const MAX_BODY: usize = 16 * 1024;
/// Deepest accepted nesting of arrays and objects.
pub const MAX_DEPTH: usize = 8;

/// A required JSON body.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A JSON body that may be absent (no `Content-Type` and no bytes); when present it
/// follows the same rules as [`Json`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = is_json(req);
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::unsupported_media_type());
            }
            let body = read_limited(payload, declared).await?;
            parse(&body).map(Json)
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let has_content_type = req.headers().contains_key(header::CONTENT_TYPE);
        let content_type_ok = is_json(req);
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            let body = read_limited(payload, declared).await?;
            if body.is_empty() && !has_content_type {
                return Ok(OptionalJson(None));
            }
            if !content_type_ok {
                return Err(ApiError::unsupported_media_type());
            }
            parse(&body).map(|v| OptionalJson(Some(v)))
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn read_limited(mut payload: Payload, declared: Option<usize>) -> Result<Vec<u8>, ApiError> {
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::payload_too_large(MAX_BODY));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::malformed_json())?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::payload_too_large(MAX_BODY));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses a body into `T`: syntax errors are `malformed_json`; well-formed JSON of
/// the wrong shape (type, unknown or duplicate field, depth, lone surrogate, NUL in a
/// key) is `validation_failed` naming the field.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if nesting_depth(body) > MAX_DEPTH {
        return Err(ApiError::invalid_field(
            "",
            "too_deep",
            format!("JSON may nest at most {MAX_DEPTH} levels"),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        classify(&inner, if path == "." { String::new() } else { path })
    })?;
    de.end().map_err(|_| ApiError::malformed_json())?;
    Ok(value)
}

fn classify(err: &serde_json::Error, path: String) -> ApiError {
    use serde_json::error::Category;
    let message = err.to_string();
    // A lone surrogate is well-formed JSON syntax carrying a string no Rust (or UTF-8)
    // can hold: a bad value, not bad syntax.
    // serde_json reports a high surrogate without its low half as the end of the escape.
    if message.contains("surrogate") || message.starts_with("unexpected end of hex escape") {
        return ApiError::invalid_field(path, "invalid_string", "strings must be valid Unicode");
    }
    match err.classify() {
        Category::Data => {
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or("invalid value")
                .to_owned();
            let code = if message.starts_with("unknown field") {
                "unknown_field"
            } else if message.starts_with("missing field") {
                "required"
            } else if message.starts_with("duplicate field") {
                "duplicate_field"
            } else {
                "invalid_type"
            };
            let field = match (code, path.is_empty()) {
                ("unknown_field" | "missing_field" | "required" | "duplicate_field", true) => {
                    backticked(&message).unwrap_or_default()
                }
                _ => path,
            };
            ApiError::validation(vec![FieldError::new(field, code, message)])
        }
        Category::Syntax | Category::Eof | Category::Io => ApiError::malformed_json(),
    }
}

fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// The deepest nesting of `[`/`{` outside strings, counted without parsing (a cheap
/// guard before the real parser recurses).
fn nesting_depth(body: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in body {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialized")]
    struct Body {
        email: String,
        n: Option<u32>,
    }

    fn code(body: &str) -> &'static str {
        parse::<Body>(body.as_bytes()).unwrap_err().code()
    }

    #[test]
    fn sorts_syntax_from_shape() {
        assert!(parse::<Body>(br#"{"email":"a@b.c"}"#).is_ok());
        assert_eq!(code("{"), "malformed_json");
        assert_eq!(code("not json"), "malformed_json");
        assert_eq!(code(r#"{"email":"a"} trailing"#), "malformed_json");
        assert_eq!(code(r#"{"email":"a","role":"admin"}"#), "validation_failed");
        assert_eq!(code(r#"{"email":1}"#), "validation_failed");
        assert_eq!(code(r#"{"email":"a","email":"b"}"#), "validation_failed");
        assert_eq!(code(r#"{}"#), "validation_failed");
        assert_eq!(code(r#"{"email":"\ud800"}"#), "validation_failed");
        assert_eq!(code(r#"[[[[[[[[[[]]]]]]]]]]"#), "validation_failed");
        assert_eq!(code(r#"{"email":"a","n":-1}"#), "validation_failed");
    }

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert_eq!(nesting_depth(br#"{"a":"[[[[{{{{\"[[["}"#), 1);
        assert_eq!(nesting_depth(b"[[[]]]"), 3);
    }
}
