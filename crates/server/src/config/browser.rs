//! What browsers see: origins (`CORS_ALLOWED_ORIGINS`, `PUBLIC_URL`,
//! `OAUTH_REDIRECT_ALLOWLIST`) and cookie settings (SPEC §3).

use url::Url;

use super::error::{ConfigError, Problem, Quoted};
use super::reader::Reader;

/// The `SameSite` attribute of the auth cookies (`COOKIE_SAMESITE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// `SameSite=Lax` (the default).
    #[default]
    Lax,
    /// `SameSite=Strict`.
    Strict,
}

impl SameSite {
    /// The attribute value as written in `Set-Cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lax => "Lax",
            Self::Strict => "Strict",
        }
    }
}

/// How the `access_token` and `refresh_token` cookies are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieSettings {
    /// `COOKIE_SAMESITE`.
    pub same_site: SameSite,
    /// `Secure`: false only in `APP_ENV=local`.
    pub secure: bool,
    /// The `__Host-` / `__Secure-` name prefixes: true in `APP_ENV=production`.
    pub prefixed_names: bool,
}

impl CookieSettings {
    /// The access cookie's name (`Path=/`): `__Host-access_token` when prefixed.
    pub fn access_name(&self) -> &'static str {
        if self.prefixed_names {
            "__Host-access_token"
        } else {
            "access_token"
        }
    }

    /// The refresh cookie's name (`Path=/api/v1/auth`): `__Secure-refresh_token` when
    /// prefixed (`__Host-` cannot have a narrower path).
    pub fn refresh_name(&self) -> &'static str {
        if self.prefixed_names {
            "__Secure-refresh_token"
        } else {
            "refresh_token"
        }
    }
}

/// Parses an allow-list entry into the form browsers send in `Origin`:
/// `scheme://host[:port]`, lower-case, default port elided, punycode host. A trailing `/`
/// is tolerated; any other path, a query, a fragment, user info or `*` is refused.
pub(super) fn parse_origin(value: &str) -> Result<String, Problem> {
    if value == "*" {
        return Err(Problem::WildcardOrigin);
    }
    http_origin(value).map_err(|why| Problem::NotAnOrigin {
        value: Quoted::new(value),
        why,
    })
}

/// Parses `PUBLIC_URL`: an absolute http(s) URL with no path but `/`, kept without the
/// trailing slash so that `{PUBLIC_URL}/reset-password` reads right.
pub(super) fn parse_public_url(value: &str) -> Result<String, Problem> {
    http_origin(value).map_err(|why| Problem::NotAnHttpUrl {
        value: Quoted::new(value),
        why,
    })
}

/// Parses an absolute http(s) endpoint URL (path and query allowed), e.g. an OAuth
/// provider endpoint override.
pub(super) fn parse_endpoint(value: &str) -> Result<String, Problem> {
    let refuse = |why| Problem::NotAnHttpUrl {
        value: Quoted::new(value),
        why,
    };
    let url = parse_http(value).map_err(refuse)?;
    if url.fragment().is_some() {
        return Err(refuse("it must not have a fragment"));
    }
    Ok(url.into())
}

fn http_origin(value: &str) -> Result<String, &'static str> {
    let url = parse_http(value)?;
    if url.path() != "/" {
        return Err("it must not have a path");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it must not have a query or fragment");
    }
    Ok(url.origin().ascii_serialization())
}

fn parse_http(value: &str) -> Result<Url, &'static str> {
    let url = Url::parse(value).map_err(|_| "it does not parse as scheme://host[:port]")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https");
    }
    // `Url::parse` also accepts `https:example.com`; demand the `//` a person means.
    let after_scheme = value.get(url.scheme().len()..).unwrap_or_default();
    if !after_scheme.starts_with("://") || url.host_str().is_none_or(str::is_empty) {
        return Err("it must be scheme://host[:port]");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it must not carry user info");
    }
    Ok(url)
}

/// Reads a comma-separated list of origins (see [`parse_origin`]), without duplicates.
pub(super) fn read_origins<F: Fn(&str) -> Option<String>>(
    env: &Reader<F>,
    name: &'static str,
) -> Result<Vec<String>, ConfigError> {
    let mut origins = Vec::new();
    for entry in env.list(name) {
        let origin = parse_origin(&entry).map_err(|problem| ConfigError::new(name, problem))?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}
