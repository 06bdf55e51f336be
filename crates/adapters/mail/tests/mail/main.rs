//! `portcullis-mail` from the outside: templates, the SMTP mailer against the in-process
//! sink, and the local outbox directory.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod directory;
mod sink;
mod smtp;
mod templates;

use portcullis_domain::Email;
use portcullis_mail::{MailMessage, Templates};

/// A reset link with every character a careless escaper mangles.
const RESET_LINK: &str = "https://auth.example.com/reset-password?token=Ab_9-xY&lang=en";
const VERIFY_LINK: &str = "https://auth.example.com/verify-email?token=Zz0-_q&next=/app";
const LOGIN_LINK: &str = "https://auth.example.com/login?from=register&x=1";

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("a valid test address")
}

/// One message of each kind, with the link the template must carry (if any).
fn every_message() -> Vec<(MailMessage, Option<&'static str>)> {
    vec![
        (
            MailMessage::PasswordReset {
                link: RESET_LINK.to_owned(),
                expires_in_minutes: 60,
            },
            Some(RESET_LINK),
        ),
        (
            MailMessage::EmailVerification {
                link: VERIFY_LINK.to_owned(),
                expires_in_hours: 24,
            },
            Some(VERIFY_LINK),
        ),
        (MailMessage::PasswordChanged, None),
        (
            MailMessage::AccountExists {
                login_link: LOGIN_LINK.to_owned(),
            },
            Some(LOGIN_LINK),
        ),
    ]
}

/// `link` as it must appear in HTML: `&` escaped, nothing else touched.
fn html_escaped(link: &str) -> String {
    link.replace('&', "&amp;")
}

fn builtin() -> Templates {
    Templates::builtin()
}
