//! The blocking bcrypt work runs inside the caller's span. A process-wide subscriber is
//! needed because the work runs on another thread, hence a test binary of its own.

use std::sync::{Arc, Mutex};

use portcullis_crypto::BcryptHasher;
use portcullis_domain::ports::PasswordHasher;
use portcullis_domain::{PasswordHash, PlainPassword};
use tracing::Instrument as _;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// Records, for every event, the names of the spans it happened in (innermost first).
#[derive(Clone, Default)]
struct Scopes(Arc<Mutex<Vec<Vec<String>>>>);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Scopes {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let names = ctx
            .event_scope(event)
            .map(|scope| scope.map(|span| span.name().to_owned()).collect())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(names);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn blocking_work_runs_in_the_callers_span() {
    let scopes = Scopes::default();
    tracing::subscriber::set_global_default(Registry::default().with(scopes.clone())).unwrap();

    let hasher = BcryptHasher::new(4, 2).unwrap();
    let password = PlainPassword::new_unchecked("correct horse battery".to_owned());
    // A malformed hash makes the blocking side log one debug event.
    let malformed = PasswordHash::new("not-a-bcrypt-hash".to_owned());
    let check = hasher
        .verify(&password, Some(&malformed))
        .instrument(tracing::info_span!("login_request"))
        .await
        .unwrap();
    assert!(!check.matches);

    let recorded = scopes.0.lock().unwrap().clone();
    assert!(
        recorded.iter().any(
            |names| names.first().map(String::as_str) == Some("password_verify")
                && names.iter().any(|n| n == "login_request")
        ),
        "{recorded:?}"
    );
}
