//! [`GithubProvider`]: GitHub (and GitHub Enterprise) accounts through `/user` and
//! `/user/emails`.

use async_trait::async_trait;
use portcullis_domain::Email;
use portcullis_domain::oauth::{OAuthProfile, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthError, OAuthProvider};
use serde::Deserialize;

use crate::client::{ConfigError, OAuthClient, ProviderConfig};

/// GitHub sign-in: scopes `read:user user:email`; the subject is the numeric account
/// id (logins can be renamed), and the email is the **primary** address of
/// `/user/emails`, verified only when GitHub says so. Without that list (scope refused)
/// the public email of `/user` is used, as unverified.
#[derive(Debug, Clone)]
pub struct GithubProvider {
    client: OAuthClient,
    user_url: String,
    emails_url: String,
}

impl GithubProvider {
    /// A provider for `config`; `emails_url` is `OAUTH_GITHUB_EMAILS_URL`.
    ///
    /// # Errors
    /// When an endpoint is not a URL or the HTTP client cannot start.
    pub fn new(config: &ProviderConfig, emails_url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            client: OAuthClient::new(config, &["read:user", "user:email"])?,
            user_url: config.userinfo_url.clone(),
            emails_url: emails_url.to_owned(),
        })
    }
}

/// `/user`, the fields we read.
#[derive(Debug, Deserialize)]
struct User {
    id: u64,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// One entry of `/user/emails`.
#[derive(Debug, Deserialize)]
struct UserEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// The primary address and whether it is verified; `None` without a primary.
fn primary(emails: &[UserEmail]) -> Option<(Email, bool)> {
    let entry = emails.iter().find(|e| e.primary)?;
    Email::parse(&entry.email).ok().map(|e| (e, entry.verified))
}

#[async_trait]
impl OAuthProvider for GithubProvider {
    fn name(&self) -> ProviderName {
        ProviderName::Github
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
        let user: User = self
            .client
            .get_json(&self.user_url, &token, "github user")
            .await?;
        let emails = match self
            .client
            .get_json::<Vec<UserEmail>>(&self.emails_url, &token, "github emails")
            .await
        {
            Ok(emails) => primary(&emails),
            // The `user:email` scope was not granted: no verified address.
            Err(OAuthError::ExchangeRefused) => None,
            Err(err) => return Err(err),
        };
        let (email, email_verified) = match emails {
            Some((email, verified)) => (Some(email), verified),
            None => (
                user.email.as_deref().and_then(|e| Email::parse(e).ok()),
                false,
            ),
        };
        Ok(OAuthProfile {
            provider: ProviderName::Github,
            subject: user.id.to_string(),
            email,
            email_verified,
            name: user.name.or(user.login),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(email: &str, primary: bool, verified: bool) -> UserEmail {
        UserEmail {
            email: email.to_owned(),
            primary,
            verified,
        }
    }

    #[test]
    fn the_primary_address_is_chosen_with_its_own_verification() {
        let list = [
            entry("other@example.com", false, true),
            entry("Main@Example.com", true, false),
        ];
        let (email, verified) = primary(&list).unwrap_or_else(|| panic!("a primary"));
        assert_eq!(email.as_str(), "main@example.com");
        assert!(
            !verified,
            "a verified secondary never makes the primary verified"
        );
        assert!(primary(&[entry("a@example.com", false, true)]).is_none());
    }
}
