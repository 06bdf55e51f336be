use super::{Endpoint, TlsMode};
use crate::config::MailConfigError;

fn parse(raw: &str) -> Endpoint {
    match Endpoint::parse(raw) {
        Ok(endpoint) => endpoint,
        Err(error) => panic!("{raw}: {error}"),
    }
}

fn error(raw: &str) -> MailConfigError {
    match Endpoint::parse(raw) {
        Ok(_) => panic!("{raw} should not parse"),
        Err(error) => error,
    }
}

#[test]
fn smtp_is_opportunistic_starttls_on_587_without_credentials() {
    let endpoint = parse("smtp://127.0.0.1");
    assert_eq!(endpoint.host, "127.0.0.1");
    assert_eq!(endpoint.port, 587);
    assert_eq!(endpoint.tls, TlsMode::Opportunistic);
    assert!(endpoint.credentials.is_none());
    assert!(endpoint.hello_name.is_none());
}

#[test]
fn smtps_is_implicit_tls_on_465_with_decoded_credentials() {
    let endpoint = parse("smtps://mailer%40example.com:p%3As%2Fs%20w%C3%B6rd@mail.example.com");
    assert_eq!(endpoint.host, "mail.example.com");
    assert_eq!(endpoint.port, 465);
    assert_eq!(endpoint.tls, TlsMode::Implicit);
    assert_eq!(
        endpoint.credentials,
        Some(("mailer@example.com".to_owned(), "p:s/s wörd".to_owned()))
    );
}

#[test]
fn tls_parameter_port_ipv6_and_ehlo_name() {
    let endpoint = parse("smtp://[::1]:2525/app.example.com?tls=required");
    assert_eq!(endpoint.host, "::1");
    assert_eq!(endpoint.port, 2525);
    assert_eq!(endpoint.tls, TlsMode::Required);
    assert_eq!(endpoint.hello_name.as_deref(), Some("app.example.com"));
    assert_eq!(parse("smtp://relay:25?tls=none").tls, TlsMode::None);
    assert_eq!(
        parse("smtp://relay?tls=opportunistic").tls,
        TlsMode::Opportunistic
    );
}

#[test]
fn bad_urls_are_refused_without_echoing_the_password() {
    assert!(matches!(error("not a url"), MailConfigError::InvalidUrl));
    assert!(
        matches!(error("https://u:secret@mail.example.com"), MailConfigError::Scheme(s) if s == "https")
    );
    assert!(matches!(
        error("smtp://"),
        MailConfigError::MissingHost | MailConfigError::InvalidUrl
    ));
    assert!(matches!(
        error("smtp://relay?tls=maybe"),
        MailConfigError::TlsMode(_)
    ));
    assert!(matches!(
        error("smtps://relay?tls=none"),
        MailConfigError::TlsMode(_)
    ));
    assert!(matches!(
        error("smtp://relay?port=25"),
        MailConfigError::UnknownParameter(_)
    ));
    assert!(matches!(
        error("smtp://:secret@relay"),
        MailConfigError::Credentials
    ));
    assert!(matches!(
        error("smtp://user@relay"),
        MailConfigError::Credentials
    ));
    assert!(matches!(
        error("smtp://user:%FF@relay"),
        MailConfigError::Credentials
    ));
    for raw in [
        "https://u:secret@x.example",
        "smtp://u:secret@x?tls=bad",
        "smtp://u:secret@x?secret=1",
    ] {
        let text = error(raw).to_string();
        assert!(!text.contains("secret@"), "{text}");
    }
}
