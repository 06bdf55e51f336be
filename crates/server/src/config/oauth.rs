//! Social login clients (`OAUTH_*`, SPEC §5 and §7).

use secrecy::SecretString;

use super::browser::parse_endpoint;
use super::error::{ConfigError, Problem};
use super::reader::Reader;

/// The variables of one provider, and the endpoints it uses unless overridden.
struct ProviderVars {
    client_id: &'static str,
    client_secret: &'static str,
    auth_url: (&'static str, &'static str),
    token_url: (&'static str, &'static str),
    userinfo_url: (&'static str, &'static str),
    emails_url: Option<(&'static str, &'static str)>,
}

const GOOGLE: ProviderVars = ProviderVars {
    client_id: "OAUTH_GOOGLE_CLIENT_ID",
    client_secret: "OAUTH_GOOGLE_CLIENT_SECRET",
    auth_url: (
        "OAUTH_GOOGLE_AUTH_URL",
        "https://accounts.google.com/o/oauth2/v2/auth",
    ),
    token_url: (
        "OAUTH_GOOGLE_TOKEN_URL",
        "https://oauth2.googleapis.com/token",
    ),
    userinfo_url: (
        "OAUTH_GOOGLE_USERINFO_URL",
        "https://openidconnect.googleapis.com/v1/userinfo",
    ),
    emails_url: None,
};

const GITHUB: ProviderVars = ProviderVars {
    client_id: "OAUTH_GITHUB_CLIENT_ID",
    client_secret: "OAUTH_GITHUB_CLIENT_SECRET",
    auth_url: (
        "OAUTH_GITHUB_AUTH_URL",
        "https://github.com/login/oauth/authorize",
    ),
    token_url: (
        "OAUTH_GITHUB_TOKEN_URL",
        "https://github.com/login/oauth/access_token",
    ),
    userinfo_url: ("OAUTH_GITHUB_USERINFO_URL", "https://api.github.com/user"),
    emails_url: Some((
        "OAUTH_GITHUB_EMAILS_URL",
        "https://api.github.com/user/emails",
    )),
};

/// One configured OAuth provider.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// `OAUTH_{PROVIDER}_CLIENT_ID`.
    pub client_id: String,
    /// `OAUTH_{PROVIDER}_CLIENT_SECRET`.
    pub client_secret: SecretString,
    /// `OAUTH_{PROVIDER}_AUTH_URL`: where the browser is sent to consent.
    pub auth_url: String,
    /// `OAUTH_{PROVIDER}_TOKEN_URL`: where the code is exchanged.
    pub token_url: String,
    /// `OAUTH_{PROVIDER}_USERINFO_URL`: the profile (Google: its OpenID userinfo).
    pub userinfo_url: String,
    /// `OAUTH_GITHUB_EMAILS_URL`: GitHub's verified-email list (`None` for Google).
    pub emails_url: Option<String>,
}

/// Social login: each provider is on when both its client id and secret are set.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// Google, when `OAUTH_GOOGLE_CLIENT_ID` and `OAUTH_GOOGLE_CLIENT_SECRET` are set.
    pub google: Option<OAuthClient>,
    /// GitHub, when `OAUTH_GITHUB_CLIENT_ID` and `OAUTH_GITHUB_CLIENT_SECRET` are set.
    pub github: Option<OAuthClient>,
    /// `OAUTH_REDIRECT_ALLOWLIST`: origins a `redirect_to` may point at, normalized like
    /// `CORS_ALLOWED_ORIGINS`. Default: the origin of `PUBLIC_URL` alone.
    pub redirect_allowlist: Vec<String>,
}

impl OAuthSettings {
    /// Reads the `OAUTH_*` variables; `public_url` is the allow-list's default.
    pub(super) fn read<F: Fn(&str) -> Option<String>>(
        env: &Reader<F>,
        public_url: &str,
    ) -> Result<Self, ConfigError> {
        let google = read_client(env, &GOOGLE)?;
        let github = read_client(env, &GITHUB)?;
        let mut redirect_allowlist = super::browser::read_origins(env, "OAUTH_REDIRECT_ALLOWLIST")?;
        if redirect_allowlist.is_empty() {
            redirect_allowlist.push(public_url.to_owned());
        }
        Ok(Self {
            google,
            github,
            redirect_allowlist,
        })
    }
}

fn read_client<F: Fn(&str) -> Option<String>>(
    env: &Reader<F>,
    vars: &ProviderVars,
) -> Result<Option<OAuthClient>, ConfigError> {
    let client_id = env.string(vars.client_id);
    let client_secret = env.secret(vars.client_secret);
    let endpoint = |(name, default): (&'static str, &str)| {
        env.parsed(name, default.to_owned(), parse_endpoint)
    };
    let auth_url = endpoint(vars.auth_url)?;
    let token_url = endpoint(vars.token_url)?;
    let userinfo_url = endpoint(vars.userinfo_url)?;
    let emails_url = vars.emails_url.map(endpoint).transpose()?;
    match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => Ok(Some(OAuthClient {
            client_id,
            client_secret,
            auth_url,
            token_url,
            userinfo_url,
            emails_url,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::new(
            vars.client_secret,
            Problem::RequiredWith(vars.client_id),
        )),
        (None, Some(_)) => Err(ConfigError::new(
            vars.client_id,
            Problem::RequiredWith(vars.client_secret),
        )),
    }
}
