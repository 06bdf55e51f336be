//! Portcullis use cases.
//!
//! [`AuthService`] holds every port as `Arc<dyn Port>` and implements the flows of
//! SPEC §2 and §5: register, login, refresh (rotation, grace window, reuse detection,
//! device binding), logout, sessions, the account itself. [`rbac`] is the one place
//! that decides who may do what to whom. Nothing here names an adapter.

mod account;
mod admin;
mod authenticate;
mod config;
mod counters;
mod error;
mod login;
mod logout;
mod mfa;
mod oauth;
pub mod rbac;
mod recovery;
mod refresh;
mod register;
mod service;
mod sessions;

pub use account::{AccountError, ProfilePatch};
pub use admin::{AccountUpdate, BootstrapOutcome, NewAccount};
pub use authenticate::{AuthError, Principal};
pub use config::AuthPolicy;
pub use error::Failure;
pub use login::{LoginError, LoginIdentifier};
pub use mfa::{MFA_TOKEN_TTL, MfaError, TotpSetup};
pub use oauth::{
    AccountRefusal, IdentityError, OAuthCallback, OAuthCallbackError, OAuthDeps, OAuthPolicy,
    OAuthRefusal, OAuthSignIn, OAuthStart, OAuthStartError,
};
pub use recovery::RecoveryError;
pub use refresh::RefreshError;
pub use register::{RegisterError, RegisterOutcome, Registration};
pub use service::{AuthService, Deps, IssuedSession};
pub use sessions::{SessionError, SessionView};
