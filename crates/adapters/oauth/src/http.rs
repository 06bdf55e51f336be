//! The one HTTP client of the providers, and its bridge to the `oauth2` crate.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};
use portcullis_domain::ports::OAuthError;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::de::DeserializeOwned;

/// `User-Agent` of every request (GitHub's API refuses requests without one).
const USER_AGENT: &str = concat!("portcullis/", env!("CARGO_PKG_VERSION"));

/// A request to the provider failed before an HTTP answer was read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    /// Connecting, sending, reading or the timeout.
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    /// The answer could not be rebuilt as an `http::Response`.
    #[error(transparent)]
    Http(#[from] oauth2::http::Error),
}

/// A client with the given total timeout per request, no redirects and no cookies.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// The reqwest client as the `oauth2` crate's HTTP client (a named type with a boxed
/// `Send` future, so the token request can run inside a `Send` port future).
#[derive(Debug, Clone)]
pub(crate) struct Bridge(pub(crate) reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for Bridge {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

/// Sends a request built by `oauth2` (the token request) and reads the whole answer.
async fn send(
    client: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let response = client.execute(reqwest::Request::try_from(request)?).await?;
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    Ok(builder.body(response.bytes().await?.to_vec())?)
}

/// `GET url` with the access token, expecting JSON of type `T`.
///
/// A 4xx answer is `ExchangeRefused` (the provider does not accept the token it just
/// issued); a transport failure, a timeout, a 5xx or a body that is not a `T` is
/// `Unavailable`.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    access_token: &str,
    what: &'static str,
) -> Result<T, OAuthError> {
    let response = client
        .get(url)
        .bearer_auth(access_token)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .send()
        .await
        .map_err(|e| unavailable(what, e))?;
    let status = response.status();
    if status.is_client_error() {
        tracing::warn!(
            status = status.as_u16(),
            what,
            "the provider refused its own access token"
        );
        return Err(OAuthError::ExchangeRefused);
    }
    if status != StatusCode::OK {
        return Err(OAuthError::Unavailable(anyhow::anyhow!(
            "{what}: the provider answered {status}"
        )));
    }
    let body = response.bytes().await.map_err(|e| unavailable(what, e))?;
    serde_json::from_slice(&body).map_err(|e| unavailable(what, e))
}

/// `Unavailable` with the step named.
pub(crate) fn unavailable(
    what: &'static str,
    err: impl std::error::Error + Send + Sync + 'static,
) -> OAuthError {
    OAuthError::Unavailable(anyhow::Error::new(err).context(what))
}
