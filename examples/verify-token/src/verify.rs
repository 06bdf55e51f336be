//! The part a downstream service copies: load the JWK Set, pick the key by `kid`, pin
//! the algorithm the JWK declares, and let jsonwebtoken check signature and claims.

use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use jsonwebtoken::jwk::{JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// Clock skew tolerated on `exp` and `nbf`, as Portcullis itself (`JWT_LEEWAY`).
const LEEWAY_SECS: u64 = 30;

/// A JWK Set is a few keys; refuse to buffer anything much larger.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Loads the JWK Set from an `http(s)://` URL or a file path.
///
/// # Errors
/// When the URL cannot be fetched (or answers non-2xx), the file cannot be read, or
/// the body is not a JWK Set.
pub async fn load_jwks(source: &str) -> anyhow::Result<JwkSet> {
    let body = if source.starts_with("http://") || source.starts_with("https://") {
        fetch(source).await?
    } else {
        std::fs::read(source).with_context(|| format!("reading the JWKS file {source}"))?
    };
    ensure!(
        body.len() <= MAX_JWKS_BYTES,
        "the JWKS is larger than {MAX_JWKS_BYTES} bytes"
    );
    serde_json::from_slice(&body).context("the JWKS is not a JSON Web Key Set")
}

async fn fetch(url: &str) -> anyhow::Result<Vec<u8>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .context("building the HTTP client")?;
    let response = client
        .get(url)
        .send()
        .await
        .with_context(|| {
            if url.starts_with("https://") {
                format!("fetching {url} (HTTPS needs a build with `--features reqwest/rustls`)")
            } else {
                format!("fetching {url}")
            }
        })?
        .error_for_status()
        .with_context(|| format!("fetching {url}"))?;
    let body = response
        .bytes()
        .await
        .with_context(|| format!("reading {url}"))?;
    Ok(body.to_vec())
}

/// Verifies `token` against `jwks`: the key named by the token's `kid`, the algorithm
/// that key declares (nothing else is accepted), the signature, `exp` (required), `nbf`,
/// `iss` and `aud`. Returns the claims.
///
/// # Errors
/// With the reason, for every token that must not be trusted.
pub fn verify(token: &str, jwks: &JwkSet, issuer: &str, audience: &str) -> anyhow::Result<Value> {
    let header = jsonwebtoken::decode_header(token).context("not a JWT")?;
    let kid = header.kid.context("the token header has no kid")?;
    let jwk = jwks
        .find(&kid)
        .with_context(|| format!("no key with kid {kid:?} in the JWKS"))?;
    if let Some(usage) = &jwk.common.public_key_use {
        ensure!(
            *usage == PublicKeyUse::Signature,
            "key {kid:?} is not a signing key"
        );
    }
    // The algorithm comes from the key the issuer published, never from the token: a
    // token saying `HS256` or `none` cannot change how it is checked.
    let alg = jwk
        .common
        .key_algorithm
        .with_context(|| format!("key {kid:?} declares no alg"))?;
    let alg =
        Algorithm::try_from(alg).with_context(|| format!("key {kid:?}: unsupported alg {alg}"))?;
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        bail!("key {kid:?} is symmetric: a public JWKS never holds one");
    }
    let key = DecodingKey::from_jwk(jwk).with_context(|| format!("key {kid:?} is not usable"))?;

    let mut validation = Validation::new(alg);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation).context("token refused")?;
    Ok(data.claims)
}

#[cfg(test)]
mod tests;
