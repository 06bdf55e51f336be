//! Query strings: parsed strictly into a struct, errors as problem+json, and the
//! opaque cursors of paginated lists.

use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::ApiError;

/// Parses a query string; a bad value is 400 `validation_failed` naming the parameter.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).unwrap_or("").to_owned();
        ApiError::invalid_field(field, "invalid_parameter", message)
    })
}

/// `limit`: 1–100, default 20, else 400.
pub fn limit(raw: Option<&str>) -> Result<u32, ApiError> {
    match raw {
        None => Ok(20),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "limit",
                    "invalid_limit",
                    "limit is an integer from 1 to 100",
                )
            }),
    }
}

/// An opaque cursor for an id-ordered list.
pub fn encode_cursor(id: Uuid) -> String {
    id.simple().to_string()
}

/// Reads a cursor made by [`encode_cursor`]; anything else is 400.
pub fn decode_cursor(raw: &str) -> Result<Uuid, ApiError> {
    if raw.len() != 32 {
        return Err(bad_cursor());
    }
    Uuid::try_parse(raw).map_err(|_| bad_cursor())
}

fn bad_cursor() -> ApiError {
    ApiError::invalid_field(
        "cursor",
        "invalid_cursor",
        "the cursor is not one this service issued",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        assert_eq!(limit(None).unwrap(), 20);
        assert_eq!(limit(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "x", ""] {
            assert_eq!(
                limit(Some(bad)).unwrap_err().code(),
                "validation_failed",
                "{bad}"
            );
        }
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id)).unwrap(), id);
        assert!(decode_cursor("nope").is_err());
        assert!(decode_cursor(&id.to_string()).is_err());
    }
}
