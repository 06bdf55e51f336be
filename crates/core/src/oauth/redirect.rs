//! `redirect_to`: an absolute http(s) URL whose origin is exactly one of
//! `OAUTH_REDIRECT_ALLOWLIST`, and the `?error=<code>` form of it.

use url::Url;

/// Longest `redirect_to` considered.
const MAX_LEN: usize = 2048;

/// The normalized URL when `raw` may be redirected to, else `None`.
///
/// Refused before parsing (parsers disagree on these, browsers included): anything
/// that does not start with `http://` or `https://` (so `//evil`, `/path`,
/// `javascript:`, `data:`), backslashes, whitespace and control characters, and
/// over-long values. After parsing: user info (`https://app@evil`), no host, and an
/// origin (`scheme://host[:port]`, default port elided) that is not exactly an entry
/// of `allowlist` (entries are normalized the same way by the configuration). The
/// URL handed back is the parser's serialization, so what is checked is what is used.
pub(crate) fn checked(raw: &str, allowlist: &[String]) -> Option<String> {
    if raw.len() > MAX_LEN
        || raw.contains('\\')
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
        || url.host_str().is_none_or(str::is_empty)
    {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    allowlist.contains(&origin).then(|| url.into())
}

/// `redirect` with `error=<code>` added to its query (an earlier `error` replaced).
pub(crate) fn with_error(redirect: &str, code: &str) -> String {
    match Url::parse(redirect) {
        Ok(mut url) => {
            let kept: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != "error")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            url.query_pairs_mut()
                .clear()
                .extend_pairs(kept)
                .append_pair("error", code);
            url.into()
        }
        // Never happens: `redirect` came out of `checked`.
        Err(_) => redirect.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow() -> Vec<String> {
        vec![
            "https://app.example.com".to_owned(),
            "http://localhost:3000".to_owned(),
        ]
    }

    #[test]
    fn allowed_origins_pass_normalized() {
        for (raw, want) in [
            ("https://app.example.com", "https://app.example.com/"),
            (
                "https://app.example.com/after?x=1#top",
                "https://app.example.com/after?x=1#top",
            ),
            ("HTTPS://APP.EXAMPLE.COM:443/a", "https://app.example.com/a"),
            ("http://localhost:3000/cb", "http://localhost:3000/cb"),
        ] {
            assert_eq!(checked(raw, &allow()).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn tricks_are_refused() {
        for raw in [
            "//evil.com",
            "/relative",
            "evil.com",
            "javascript:alert(1)",
            "JavaScript://app.example.com/%0aalert(1)",
            "data:text/html,hi",
            "https://app.evil",
            "https://app.example.com.evil.com/",
            "https://evil.com/https://app.example.com",
            "https://app.example.com@evil.com/",
            "https://user:pw@app.example.com/",
            "https://app.example.com\\@evil.com",
            "https:\\\\evil.com",
            "https:/\\evil.com",
            "https://app.example.com:8443/",
            "http://app.example.com/",
            "http://localhost:3001/",
            "https://app.example.com/\tx",
            " https://app.example.com/",
            "https://app.example.com/\nSet-Cookie:x",
            "ftp://app.example.com/",
            "",
        ] {
            assert_eq!(checked(raw, &allow()), None, "{raw:?}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_LEN));
        assert_eq!(checked(&long, &allow()), None);
    }

    #[test]
    fn errors_are_added_to_the_query() {
        assert_eq!(
            with_error("https://app.example.com/after?x=1#top", "access_denied"),
            "https://app.example.com/after?x=1&error=access_denied#top"
        );
        assert_eq!(
            with_error("https://app.example.com/?error=forged", "provider_error"),
            "https://app.example.com/?error=provider_error"
        );
    }
}
