//! [`OAuthClient`]: the authorization-code flow with PKCE against one provider's
//! endpoints, shared by every provider file.

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicRequestTokenError};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use portcullis_domain::oauth::PkceVerifier;
use portcullis_domain::ports::OAuthError;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::http::{self, TransportError};

/// One provider's client registration and endpoints, as configured.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// `OAUTH_{PROVIDER}_CLIENT_ID`.
    pub client_id: String,
    /// `OAUTH_{PROVIDER}_CLIENT_SECRET`.
    pub client_secret: SecretString,
    /// Authorization endpoint (the browser is sent there).
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Profile endpoint (Google: OpenID Connect userinfo; GitHub: `/user`).
    pub userinfo_url: String,
    /// Our callback, `{PUBLIC_URL}/api/v1/auth/oauth/{provider}/callback`: registered
    /// at the provider, sent in both the authorization and the token request.
    pub redirect_url: String,
    /// Longest wait for any one request to the provider.
    pub timeout: Duration,
}

impl ProviderConfig {
    /// The default per-request timeout (10 s).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
}

type Configured = oauth2::Client<
    BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The authorization-code flow against one provider: the authorize URL with `state`
/// and the S256 challenge, the code exchange with the verifier, and authenticated
/// JSON reads of its APIs.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    oauth: Configured,
    http: http::Bridge,
    scopes: &'static [&'static str],
}

/// Why a configuration cannot make a client.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// An endpoint is not a URL.
    #[error("{0}: not a valid URL")]
    BadUrl(&'static str),
    /// The HTTP client could not be built (TLS roots).
    #[error("the HTTP client could not be built")]
    Http(#[source] reqwest::Error),
}

impl OAuthClient {
    /// A client for `config`, asking for `scopes`.
    ///
    /// # Errors
    /// When an endpoint is not a URL or the HTTP client cannot start.
    pub fn new(
        config: &ProviderConfig,
        scopes: &'static [&'static str],
    ) -> Result<Self, ConfigError> {
        let oauth = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                config.client_secret.expose_secret().to_owned(),
            ))
            // client_secret_post: accepted by Google and by GitHub alike.
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(
                AuthUrl::new(config.auth_url.clone())
                    .map_err(|_| ConfigError::BadUrl("auth_url"))?,
            )
            .set_token_uri(
                TokenUrl::new(config.token_url.clone())
                    .map_err(|_| ConfigError::BadUrl("token_url"))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_url.clone())
                    .map_err(|_| ConfigError::BadUrl("redirect_url"))?,
            );
        let http = http::Bridge(http::client(config.timeout).map_err(ConfigError::Http)?);
        Ok(Self {
            oauth,
            http,
            scopes,
        })
    }

    /// The authorization URL with `state` and the S256 challenge of `verifier`.
    pub fn authorize_url(&self, state: &str, verifier: &PkceVerifier) -> String {
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            verifier.expose().to_owned(),
        ));
        let state = state.to_owned();
        let (url, _) = self
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(self.scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        url.into()
    }

    /// Exchanges `code` (with the verifier) for an access token.
    ///
    /// # Errors
    /// `ExchangeRefused` for an OAuth error answer (also GitHub's, which comes with
    /// status 200); `Unavailable` for a transport failure, a timeout or garbage.
    pub async fn exchange(
        &self,
        code: &str,
        verifier: &PkceVerifier,
    ) -> Result<String, OAuthError> {
        let token = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        Ok(token.access_token().secret().clone())
    }

    /// `GET url` with the access token, as JSON.
    ///
    /// # Errors
    /// See `http::get_json`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        access_token: &str,
        what: &'static str,
    ) -> Result<T, OAuthError> {
        http::get_json(&self.http.0, url, access_token, what).await
    }
}

fn token_error(err: BasicRequestTokenError<TransportError>) -> OAuthError {
    match err {
        BasicRequestTokenError::ServerResponse(answer) => {
            // The error code is the provider's word, not a secret.
            tracing::warn!(error = %answer.error(), "the provider refused the authorization code");
            OAuthError::ExchangeRefused
        }
        BasicRequestTokenError::Parse(err, body) => {
            // GitHub answers 200 with `{"error": "bad_verification_code", ...}`.
            let refused = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .is_some_and(|v| v.get("error").is_some_and(serde_json::Value::is_string));
            if refused {
                tracing::warn!("the provider refused the authorization code");
                OAuthError::ExchangeRefused
            } else {
                http::unavailable("token response", err)
            }
        }
        BasicRequestTokenError::Request(err) => http::unavailable("token request", err),
        BasicRequestTokenError::Other(what) => {
            OAuthError::Unavailable(anyhow::anyhow!("token request: {what}"))
        }
    }
}
