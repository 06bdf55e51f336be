//! Social login for Portcullis: [`GoogleProvider`] and [`GithubProvider`] implement the
//! `OAuthProvider` port over OAuth 2.0 (RFC 6749) with PKCE S256 (RFC 7636), using the
//! `oauth2` crate for the protocol and one reqwest client for the requests.
//!
//! Every endpoint comes from the configuration (`OAUTH_*_AUTH_URL`, `..._TOKEN_URL`,
//! `..._USERINFO_URL`, `OAUTH_GITHUB_EMAILS_URL`), so GitHub Enterprise and fake
//! providers in tests work unchanged. Adding a provider is one file: build an
//! [`OAuthClient`] for its endpoints and map its profile into an `OAuthProfile`.
//!
//! # Failures
//!
//! A provider that refuses the code or the verifier (an OAuth error response, or a 4xx
//! from its profile endpoint) is `OAuthError::ExchangeRefused`; one that does not answer
//! within [`ProviderConfig::timeout`], answers 5xx or answers something unusable is
//! `OAuthError::Unavailable`. The client never follows redirects (no request is ever
//! sent somewhere the configuration did not name), and nothing here logs a code, a
//! token, a verifier or a state.
#![warn(missing_docs)]

mod client;
mod github;
mod google;
mod http;

pub use client::{ConfigError, OAuthClient, ProviderConfig};
pub use github::GithubProvider;
pub use google::GoogleProvider;
