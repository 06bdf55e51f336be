//! The fake provider and the flow helpers of the OAuth rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use portcullis_core::{
    AuthService, OAuthCallback, OAuthCallbackError, OAuthDeps, OAuthPolicy, OAuthSignIn,
};
use portcullis_domain::Email;
use portcullis_domain::oauth::{OAuthProfile, PkceVerifier, ProviderName};
use portcullis_domain::ports::{OAuthError, OAuthProvider};
use portcullis_memory::{MemoryOAuthIdentities, MemoryOAuthStateStore};

use crate::support::{World, device};

/// What the fake provider does at the token endpoint.
#[derive(Clone, Copy)]
pub(super) enum Behaviour {
    Answer,
    Refuse,
    Down,
}

/// A provider that records the challenge of each state and checks the verifier
/// against it at the exchange, answering the profile the test set.
pub(super) struct FakeProvider {
    name: ProviderName,
    challenges: Mutex<HashMap<String, String>>,
    profile: Mutex<OAuthProfile>,
    pub(super) behaviour: Mutex<Behaviour>,
}

impl FakeProvider {
    pub(super) fn new(name: ProviderName) -> Arc<Self> {
        Arc::new(Self {
            name,
            challenges: Mutex::default(),
            profile: Mutex::new(profile(name, "sub-1", "ada@example.com", true)),
            behaviour: Mutex::new(Behaviour::Answer),
        })
    }

    pub(super) fn set_profile(&self, p: OAuthProfile) {
        *self.profile.lock().unwrap() = p;
    }
}

#[async_trait]
impl OAuthProvider for FakeProvider {
    fn name(&self) -> ProviderName {
        self.name
    }

    fn authorize_url(&self, state: &str, pkce_verifier: &PkceVerifier) -> String {
        let challenge = pkce_verifier.s256_challenge();
        self.challenges
            .lock()
            .unwrap()
            .insert(state.to_owned(), challenge.clone());
        format!(
            "https://{}.test/authorize?state={state}&code_challenge={challenge}&code_challenge_method=S256",
            self.name
        )
    }

    async fn exchange(&self, code: &str, v: &PkceVerifier) -> Result<OAuthProfile, OAuthError> {
        let behaviour = *self.behaviour.lock().unwrap();
        match behaviour {
            Behaviour::Refuse => return Err(OAuthError::ExchangeRefused),
            Behaviour::Down => return Err(OAuthError::Unavailable(anyhow::anyhow!("timeout"))),
            Behaviour::Answer => {}
        }
        let known = self
            .challenges
            .lock()
            .unwrap()
            .values()
            .any(|c| *c == v.s256_challenge());
        if code != "good-code" || !known {
            return Err(OAuthError::ExchangeRefused);
        }
        Ok(self.profile.lock().unwrap().clone())
    }
}

pub(super) fn profile(
    provider: ProviderName,
    sub: &str,
    email: &str,
    verified: bool,
) -> OAuthProfile {
    OAuthProfile {
        provider,
        subject: sub.to_owned(),
        email: Some(Email::parse(email).unwrap()),
        email_verified: verified,
        name: Some("Ada Lovelace".to_owned()),
    }
}

pub(super) struct Oauth {
    pub(super) world: World,
    pub(super) service: AuthService,
    pub(super) google: Arc<FakeProvider>,
    pub(super) github: Arc<FakeProvider>,
}

pub(super) const APP: &str = "https://app.example.com";

pub(super) fn setup() -> Oauth {
    let world = World::new();
    let google = FakeProvider::new(ProviderName::Google);
    let github = FakeProvider::new(ProviderName::Github);
    let service = world.service.clone().with_oauth(
        OAuthDeps {
            providers: vec![google.clone(), github.clone()],
            identities: Arc::new(MemoryOAuthIdentities::new()),
            states: Arc::new(MemoryOAuthStateStore::new()),
        },
        OAuthPolicy {
            redirect_allowlist: vec![APP.to_owned()],
            state_ttl: OAuthPolicy::DEFAULT_STATE_TTL,
        },
    );
    Oauth {
        world,
        service,
        google,
        github,
    }
}

/// A started flow: the state from the authorize URL and the binding cookie.
pub(super) struct Flow {
    pub(super) state: String,
    pub(super) binding: String,
}

impl Oauth {
    pub(super) async fn start(&self, provider: ProviderName) -> Flow {
        let start = self
            .service
            .start_oauth(provider, Some(&format!("{APP}/after")))
            .await
            .unwrap();
        let state = start
            .authorize_url
            .split("state=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .unwrap()
            .to_owned();
        assert_eq!(state.len(), 43, "256 bits of state");
        Flow {
            state,
            binding: start.binding,
        }
    }

    pub(super) async fn finish(
        &self,
        provider: ProviderName,
        flow: &Flow,
    ) -> Result<OAuthSignIn, OAuthCallbackError> {
        let callback = OAuthCallback {
            code: Some("good-code"),
            state: Some(&flow.state),
            error: None,
            binding: Some(&flow.binding),
        };
        self.service
            .finish_oauth(provider, callback, &device("browser"))
            .await
    }

    pub(super) async fn sign_in(
        &self,
        provider: ProviderName,
    ) -> Result<OAuthSignIn, OAuthCallbackError> {
        let flow = self.start(provider).await;
        self.finish(provider, &flow).await
    }

    pub(super) async fn kinds(&self) -> Vec<&'static str> {
        self.world.audit_kinds().await
    }
}

pub(super) fn refusal(result: Result<OAuthSignIn, OAuthCallbackError>) -> (&'static str, String) {
    match result {
        Err(OAuthCallbackError::Refused(r)) => (r.code, r.location),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub(super) fn invalid_state(result: Result<OAuthSignIn, OAuthCallbackError>) {
    assert!(
        matches!(result, Err(OAuthCallbackError::InvalidState)),
        "expected InvalidState, got {result:?}"
    );
}
