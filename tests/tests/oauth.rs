//! Social login end to end: the real binary against a fake Google and GitHub
//! (wiremock) that check the PKCE verifier. The test plays the browser (a cookie jar
//! that does not follow redirects) and the consent screen (it reads `state` and the
//! challenge from the authorize URL and grants a code).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

#[path = "oauth/accounts.rs"]
mod accounts;
#[path = "oauth/provider.rs"]
mod provider;
#[path = "oauth/refusals.rs"]
mod refusals;
#[path = "oauth/support.rs"]
mod support;
