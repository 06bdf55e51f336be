//! [`GoogleProvider`]: Google accounts through its OpenID Connect userinfo endpoint.

use async_trait::async_trait;
use portcullis_domain::Email;
use portcullis_domain::oauth::{OAuthProfile, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthError, OAuthProvider};
use serde::Deserialize;

use crate::client::{ConfigError, OAuthClient, ProviderConfig};

/// Google sign-in: scopes `openid email profile`; the subject is the OpenID `sub`, and
/// the address counts as verified only when userinfo says `email_verified: true`.
#[derive(Debug, Clone)]
pub struct GoogleProvider {
    client: OAuthClient,
    userinfo_url: String,
}

impl GoogleProvider {
    /// A provider for `config`.
    ///
    /// # Errors
    /// When an endpoint is not a URL or the HTTP client cannot start.
    pub fn new(config: &ProviderConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            client: OAuthClient::new(config, &["openid", "email", "profile"])?,
            userinfo_url: config.userinfo_url.clone(),
        })
    }
}

/// The userinfo claims we read (OpenID Connect Core §5.3.2).
#[derive(Debug, Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
}

/// `true` or `"true"` (both forms are seen in the wild); anything else is unverified.
fn verified(value: Option<&serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s == "true",
        _ => false,
    }
}

#[async_trait]
impl OAuthProvider for GoogleProvider {
    fn name(&self) -> ProviderName {
        ProviderName::Google
    }

    fn authorize_url(&self, state: &str, pkce_verifier: &PkceVerifier) -> String {
        self.client.authorize_url(state, pkce_verifier)
    }

    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &PkceVerifier,
    ) -> Result<OAuthProfile, OAuthError> {
        let token = self.client.exchange(code, pkce_verifier).await?;
        let info: UserInfo = self
            .client
            .get_json(&self.userinfo_url, &token, "google userinfo")
            .await?;
        if info.sub.is_empty() {
            return Err(OAuthError::Unavailable(anyhow::anyhow!(
                "google userinfo: empty sub"
            )));
        }
        let email = info.email.as_deref().and_then(|e| Email::parse(e).ok());
        Ok(OAuthProfile {
            provider: ProviderName::Google,
            subject: info.sub,
            email_verified: email.is_some() && verified(info.email_verified.as_ref()),
            email,
            name: info.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_true_claim_is_verified() {
        assert!(verified(Some(&serde_json::json!(true))));
        assert!(verified(Some(&serde_json::json!("true"))));
        for v in [
            serde_json::json!(false),
            serde_json::json!("yes"),
            serde_json::json!(1),
        ] {
            assert!(!verified(Some(&v)), "{v}");
        }
        assert!(!verified(None));
    }
}
