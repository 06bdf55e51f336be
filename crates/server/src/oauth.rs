//! Social login wiring: a provider for each configured `OAUTH_{GOOGLE,GITHUB}_*`
//! client, with our callback URL `{PUBLIC_URL}/api/v1/auth/oauth/{provider}/callback`.

use std::sync::Arc;

use anyhow::Context;
use portcullis_core::OAuthPolicy;
use portcullis_domain::oauth::ProviderName;
use portcullis_domain::ports::OAuthProvider;
use portcullis_oauth::{GithubProvider, GoogleProvider, ProviderConfig};

use crate::config::{Config, OAuthClient};

/// The callback URL registered at the provider.
pub fn callback_url(public_url: &str, provider: ProviderName) -> String {
    format!(
        "{}/api/v1/auth/oauth/{provider}/callback",
        public_url.trim_end_matches('/')
    )
}

fn provider_config(config: &Config, client: &OAuthClient, name: ProviderName) -> ProviderConfig {
    ProviderConfig {
        client_id: client.client_id.clone(),
        client_secret: client.client_secret.clone(),
        auth_url: client.auth_url.clone(),
        token_url: client.token_url.clone(),
        userinfo_url: client.userinfo_url.clone(),
        redirect_url: callback_url(&config.public_url, name),
        timeout: ProviderConfig::DEFAULT_TIMEOUT,
    }
}

/// The configured providers (none when no `OAUTH_*_CLIENT_ID` is set).
///
/// # Errors
/// When a provider's HTTP client cannot be built.
pub fn providers(config: &Config) -> anyhow::Result<Vec<Arc<dyn OAuthProvider>>> {
    let mut out: Vec<Arc<dyn OAuthProvider>> = Vec::new();
    if let Some(client) = &config.oauth.google {
        let google = GoogleProvider::new(&provider_config(config, client, ProviderName::Google))
            .context("OAUTH_GOOGLE_*")?;
        out.push(Arc::new(google));
    }
    if let Some(client) = &config.oauth.github {
        let emails_url = client
            .emails_url
            .as_deref()
            .context("OAUTH_GITHUB_EMAILS_URL: missing")?;
        let github = GithubProvider::new(
            &provider_config(config, client, ProviderName::Github),
            emails_url,
        )
        .context("OAUTH_GITHUB_*")?;
        out.push(Arc::new(github));
    }
    for provider in &out {
        tracing::info!(provider = %provider.name(), "social login enabled");
    }
    Ok(out)
}

/// `OAUTH_REDIRECT_ALLOWLIST` and the 10-minute state lifetime.
pub fn policy(config: &Config) -> OAuthPolicy {
    OAuthPolicy {
        redirect_allowlist: config.oauth.redirect_allowlist.clone(),
        state_ttl: OAuthPolicy::DEFAULT_STATE_TTL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_url_is_under_public_url() {
        assert_eq!(
            callback_url("https://auth.example.com", ProviderName::Github),
            "https://auth.example.com/api/v1/auth/oauth/github/callback"
        );
    }
}
