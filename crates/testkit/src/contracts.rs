//! One contract suite per store port. Each checks every `# Errors` and MUST clause of
//! the port's rustdoc (and the behaviour its method docs promise) against a fresh store
//! per clause.

mod audit;
mod deny_list;
mod lockout;
mod mfa;
mod oauth;
mod oauth_state;
mod one_time_tokens;
mod rate_limiter;
mod refresh;
mod sessions;
mod users;

pub use audit::audit_log_contract;
pub use deny_list::session_deny_list_contract;
pub use lockout::lockout_store_contract;
pub use mfa::mfa_repository_contract;
pub use oauth::oauth_identity_repository_contract;
pub use oauth_state::oauth_state_store_contract;
pub use one_time_tokens::one_time_token_repository_contract;
pub use rate_limiter::rate_limiter_contract;
pub use refresh::refresh_token_store_contract;
pub use sessions::session_repository_contract;
pub use users::user_repository_contract;
