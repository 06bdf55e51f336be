//! Names and rules every SQL dialect applies alike.

use portcullis_domain::Role;

/// The unique index on `lower(users.email)`: a violation of it is
/// `UserWriteError::EmailTaken`. Both migrations create it under this name.
pub const USERS_EMAIL_KEY: &str = "users_email_key";

/// The unique index on `lower(users.username)`: a violation of it is
/// `UserWriteError::UsernameTaken`. Both migrations create it under this name.
pub const USERS_USERNAME_KEY: &str = "users_username_key";

/// The storage form of the admin role (the last-admin guard and `count_admins`).
pub const ADMIN: &str = Role::Admin.as_str();

/// How many *other* active sessions of a user survive when one is created with the
/// cap `max_active`: the new session always stays (even with a cap of 0), so at most
/// `max_active - 1` others, the most recently used.
pub const fn other_sessions_kept(max_active: u32) -> u32 {
    max_active.saturating_sub(1)
}

/// `%q%` for `LIKE` / `ILIKE` with `\` as the escape character: the query's own `%`,
/// `_` and `\` match themselves. (Postgres escapes with `\` by default; SQLite needs
/// `ESCAPE '\'`.)
pub fn contains_pattern(q: &str) -> String {
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The most mail one `MailOutbox::claim` takes, whatever the caller asks.
pub const MAX_CLAIM: u32 = 1000;

/// The batch a claim of `limit` takes: at least one message, at most [`MAX_CLAIM`].
pub fn claim_batch(limit: u32) -> u32 {
    limit.clamp(1, MAX_CLAIM)
}

/// The longest delivery error kept in the outbox, in characters.
pub const MAX_MAIL_ERROR_CHARS: usize = 1000;

/// A delivery error cut to [`MAX_MAIL_ERROR_CHARS`] characters (an SMTP server's answer
/// can be long; the operator needs its start).
pub fn mail_error(error: &str) -> String {
    error.chars().take(MAX_MAIL_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(contains_pattern("a_b%c\\d"), "%a\\_b\\%c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn the_new_session_always_stays() {
        assert_eq!(other_sessions_kept(0), 0);
        assert_eq!(other_sessions_kept(1), 0);
        assert_eq!(other_sessions_kept(5), 4);
    }

    #[test]
    fn claims_and_errors_are_bounded() {
        assert_eq!(claim_batch(0), 1);
        assert_eq!(claim_batch(10), 10);
        assert_eq!(claim_batch(u32::MAX), MAX_CLAIM);
        assert_eq!(mail_error(&"é".repeat(2000)).chars().count(), 1000);
        assert_eq!(ADMIN, "admin");
    }
}
