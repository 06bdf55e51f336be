use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use ipnet::IpNet;
use portcullis_domain::{DeviceBinding, TimeSpan};
use secrecy::ExposeSecret;

use super::*;

const ENV_EXAMPLE: &str = include_str!("../../../../.env.example");
const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    Config::from_lookup(|key| vars.get(key).cloned())
}

fn error(vars: &[(&str, &str)]) -> ConfigError {
    match config(vars) {
        Ok(config) => panic!("{vars:?} was accepted: {config:?}"),
        Err(error) => error,
    }
}

fn production(overrides: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut vars = vec![
        ("APP_ENV", "production"),
        (
            "DATABASE_URL",
            "postgres://portcullis:hunter2@db:5432/portcullis",
        ),
        ("REDIS_URL", "redis://redis:6379"),
        ("JWT_SECRET", SECRET),
        ("PUBLIC_URL", "https://auth.example.com"),
    ];
    for (key, value) in overrides {
        vars.retain(|(existing, _)| existing != key);
        vars.push((key, value));
    }
    vars
}

#[test]
fn an_empty_environment_gives_a_working_local_config() {
    let config = config(&[]).expect("local mode needs nothing");

    assert!(config.is_local());
    assert_eq!(config.app_env, AppEnv::Local);
    assert_eq!(config.host, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    assert_eq!(config.port, 8080);
    assert_eq!(config.socket_addr().to_string(), "0.0.0.0:8080");
    assert_eq!(config.public_url, "http://localhost:8080");
    assert_eq!(config.data_dir, std::path::PathBuf::from("./data"));
    assert_eq!(config.shutdown_timeout, Duration::from_secs(30));
    assert_eq!(config.log_level, "info");
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert!(config.otel_exporter_otlp_endpoint.is_none());
    assert!(config.metrics_token.is_none());
    assert!(config.database_url.is_none());
    assert!(config.redis_url.is_none());
    assert!(config.auto_migrate);
    assert_eq!(config.jwt.algorithm, JwtAlgorithm::Hs256);
    assert!(config.jwt.secret.is_none());
    assert!(config.jwt.private_key.is_none());
    assert!(config.jwt.verify_keys.is_empty());
    assert_eq!(config.jwt.leeway, Duration::from_secs(30));
    assert_eq!(config.jwt.issuer, "portcullis");
    assert_eq!(config.jwt.audience, "portcullis");
    assert_eq!(config.access_token_ttl, Duration::from_secs(15 * 60));
    assert_eq!(config.refresh_token_ttl, Duration::from_secs(168 * 3600));
    assert_eq!(config.session_absolute_ttl, Duration::from_secs(720 * 3600));
    assert_eq!(config.refresh_reuse_grace, Duration::from_secs(3));
    assert_eq!(config.max_active_refresh_tokens_per_user, 10);
    assert_eq!(config.device_binding, DeviceBinding::Ua);
    assert_eq!(config.expired_token_retention_days, 30);
    assert_eq!(config.revoked_token_retention_days, 90);
    assert_eq!(config.audit_retention_days, Some(365));
    assert!(config.metrics_addr.is_none());
    assert_eq!(config.bcrypt_cost, 12);
    assert!(config.bcrypt_max_in_flight >= 1);
    assert!(!config.require_email_verification);
    assert_eq!(config.reset_token_ttl, Duration::from_secs(3600));
    assert_eq!(
        config.cookies,
        CookieSettings {
            same_site: SameSite::Lax,
            secure: false,
            prefixed_names: false,
        }
    );
    assert_eq!(config.cookies.access_name(), "access_token");
    assert_eq!(config.cookies.refresh_name(), "refresh_token");
    assert!(config.cors_allowed_origins.is_empty());
    assert!(config.trusted_proxies.is_empty());
    assert_eq!(
        config.rate_limits,
        RateLimits {
            auth: 5,
            refresh: 10,
            sessions: 60,
            users: 100,
            fail_open: false,
        }
    );
    assert_eq!(
        config.login_lockout,
        LoginLockout {
            threshold: 10,
            window: Duration::from_secs(15 * 60),
            duration: Duration::from_secs(15 * 60),
        }
    );
    assert!(config.smtp_url.is_none());
    assert_eq!(config.mail_from, "Portcullis <no-reply@localhost>");
    assert!(config.oauth.google.is_none());
    assert!(config.oauth.github.is_none());
    assert_eq!(config.oauth.redirect_allowlist, ["http://localhost:8080"]);
}

#[test]
fn default_auth_policy_matches_the_core_defaults() {
    let policy = config(&[]).unwrap().auth_policy();
    let expected = portcullis_core::AuthPolicy::default();

    assert_eq!(policy.access_ttl, expected.access_ttl);
    assert_eq!(policy.refresh_ttl, expected.refresh_ttl);
    assert_eq!(policy.session_absolute_ttl, expected.session_absolute_ttl);
    assert_eq!(policy.reuse_grace, expected.reuse_grace);
    assert_eq!(policy.max_sessions, expected.max_sessions);
    assert_eq!(policy.device_binding, expected.device_binding);
    assert_eq!(policy.lockout, expected.lockout);
    assert_eq!(policy.jwt_leeway, expected.jwt_leeway);
}

#[test]
fn auth_policy_carries_every_configured_value() {
    let policy = config(&[
        ("ACCESS_TOKEN_TTL", "5m"),
        ("REFRESH_TOKEN_TTL", "24h"),
        ("SESSION_ABSOLUTE_TTL", "48h"),
        ("REFRESH_REUSE_GRACE", "0s"),
        ("MAX_ACTIVE_REFRESH_TOKENS_PER_USER", "3"),
        ("DEVICE_BINDING", "strict"),
        ("LOGIN_LOCKOUT_THRESHOLD", "4"),
        ("LOGIN_LOCKOUT_WINDOW", "10m"),
        ("LOGIN_LOCKOUT_DURATION", "1h"),
        ("JWT_LEEWAY", "5"),
    ])
    .unwrap()
    .auth_policy();

    assert_eq!(policy.access_ttl, TimeSpan::minutes(5));
    assert_eq!(policy.refresh_ttl, TimeSpan::hours(24));
    assert_eq!(policy.session_absolute_ttl, TimeSpan::hours(48));
    assert_eq!(policy.reuse_grace, TimeSpan::zero());
    assert_eq!(policy.max_sessions, 3);
    assert_eq!(policy.device_binding, DeviceBinding::Strict);
    assert_eq!(policy.lockout.threshold, 4);
    assert_eq!(policy.lockout.window, TimeSpan::minutes(10));
    assert_eq!(policy.lockout.duration, TimeSpan::hours(1));
    assert_eq!(policy.jwt_leeway, TimeSpan::seconds(5));
}

#[test]
fn every_bad_value_names_its_variable_on_one_line() {
    let cases: &[(&str, &str)] = &[
        ("APP_ENV", "staging"),
        ("HOST", "localhost"),
        ("PORT", "http"),
        ("PORT", "65536"),
        ("PORT", "-1"),
        ("PUBLIC_URL", "auth.example.com"),
        ("PUBLIC_URL", "https://example.com/auth"),
        ("PUBLIC_URL", "ftp://example.com"),
        ("SHUTDOWN_TIMEOUT", "soon"),
        ("LOG_LEVEL", "verbose"),
        ("LOG_LEVEL", "info,portcullis=loud"),
        ("LOG_FORMAT", "xml"),
        ("DATABASE_URL", "mysql://root@db/portcullis"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://redis:6379"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "otel:4318"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://otel:4317"),
        ("AUTO_MIGRATE", "maybe"),
        ("JWT_SECRET", "short"),
        ("JWT_ALGORITHM", "RS256"),
        ("JWT_LEEWAY", "30 parsecs"),
        ("ACCESS_TOKEN_TTL", "0s"),
        ("ACCESS_TOKEN_TTL", "fifteen minutes"),
        ("REFRESH_TOKEN_TTL", "0"),
        ("SESSION_ABSOLUTE_TTL", "1000y"),
        ("REFRESH_REUSE_GRACE", "-3s"),
        ("MAX_ACTIVE_REFRESH_TOKENS_PER_USER", "0"),
        ("MAX_ACTIVE_REFRESH_TOKENS_PER_USER", "ten"),
        ("DEVICE_BINDING", "ip"),
        ("EXPIRED_TOKEN_RETENTION_DAYS", "36501"),
        ("REVOKED_TOKEN_RETENTION_DAYS", "1.5"),
        ("AUDIT_RETENTION_DAYS", "36501"),
        ("AUDIT_RETENTION_DAYS", "-1"),
        ("AUDIT_RETENTION_DAYS", "a year"),
        ("METRICS_ADDR", "9100"),
        ("METRICS_ADDR", "localhost:9100"),
        ("METRICS_ADDR", "127.0.0.1"),
        ("METRICS_ADDR", "127.0.0.1:8080"),
        ("METRICS_ADDR", "0.0.0.0:8080"),
        ("BCRYPT_COST", "3"),
        ("BCRYPT_COST", "32"),
        ("BCRYPT_MAX_IN_FLIGHT", "0"),
        ("BCRYPT_MAX_IN_FLIGHT", "99999999999999999999999"),
        ("REQUIRE_EMAIL_VERIFICATION", "sometimes"),
        ("RESET_TOKEN_TTL", "0s"),
        ("COOKIE_SAMESITE", "none"),
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_ORIGINS", "https://ok.example.com,null"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("TRUSTED_PROXIES", "proxy.internal"),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "0"),
        ("RATE_LIMIT_REFRESH_PER_MINUTE", "many"),
        ("RATE_LIMIT_SESSIONS_PER_MINUTE", "0"),
        ("RATE_LIMIT_USERS_PER_MINUTE", "4294967296"),
        ("RATE_LIMIT_FAIL_OPEN", "open"),
        ("LOGIN_LOCKOUT_THRESHOLD", "0"),
        ("LOGIN_LOCKOUT_WINDOW", "0s"),
        ("LOGIN_LOCKOUT_DURATION", "forever"),
        ("SMTP_URL", "https://mail.example.com"),
        ("MAIL_FROM", "nobody"),
        (
            "MAIL_FROM",
            "Portcullis <no-reply@example.com>\r\nBcc: victim@example.com",
        ),
        ("OAUTH_GOOGLE_CLIENT_ID", "id-without-secret"),
        ("OAUTH_GOOGLE_CLIENT_SECRET", "secret-without-id"),
        ("OAUTH_GOOGLE_AUTH_URL", "accounts.google.com"),
        ("OAUTH_GOOGLE_TOKEN_URL", "ftp://x"),
        ("OAUTH_GOOGLE_USERINFO_URL", "nope"),
        ("OAUTH_GITHUB_CLIENT_ID", "id-without-secret"),
        ("OAUTH_GITHUB_CLIENT_SECRET", "secret-without-id"),
        ("OAUTH_GITHUB_AUTH_URL", "nope"),
        ("OAUTH_GITHUB_TOKEN_URL", "nope"),
        ("OAUTH_GITHUB_USERINFO_URL", "nope"),
        (
            "OAUTH_GITHUB_EMAILS_URL",
            "https://api.github.com/user/emails#frag",
        ),
        ("OAUTH_REDIRECT_ALLOWLIST", "*"),
        (
            "OAUTH_REDIRECT_ALLOWLIST",
            "https://app.example.com/callback",
        ),
    ];
    for &(variable, value) in cases {
        let error = error(&[(variable, value)]);
        let line = error.to_string();
        // The variable that is missing its partner is the one named.
        let expected = match variable {
            "OAUTH_GOOGLE_CLIENT_ID" => "OAUTH_GOOGLE_CLIENT_SECRET",
            "OAUTH_GOOGLE_CLIENT_SECRET" => "OAUTH_GOOGLE_CLIENT_ID",
            "OAUTH_GITHUB_CLIENT_ID" => "OAUTH_GITHUB_CLIENT_SECRET",
            "OAUTH_GITHUB_CLIENT_SECRET" => "OAUTH_GITHUB_CLIENT_ID",
            other => other,
        };
        assert_eq!(error.variable, expected, "{variable}={value:?} -> {line}");
        assert!(line.starts_with(&format!("{expected}: ")), "{line}");
        assert!(!line.contains(['\n', '\r']), "{line}");
    }
}

#[test]
fn some_error_lines_read_exactly_so() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("JWT_SECRET", "twelve bytes")],
            "JWT_SECRET: must be at least 32 bytes (got 12)",
        ),
        (
            &[("REFRESH_REUSE_GRACE", "abc")],
            r#"REFRESH_REUSE_GRACE: not a duration ("abc"); use e.g. 3s, 15m, 168h"#,
        ),
        (
            &[("JWT_ALGORITHM", "EdDSA")],
            "JWT_PRIVATE_KEY: required when JWT_ALGORITHM is EdDSA or ES256 (create one with `portcullis keygen`)",
        ),
        (
            &[("JWT_ALGORITHM", "none")],
            r#"JWT_ALGORITHM: must be one of HS256 | EdDSA | ES256 (got "none")"#,
        ),
        (
            &[("BCRYPT_COST", "3")],
            "BCRYPT_COST: must be between 4 and 31 (got 3)",
        ),
        (
            &[("MAX_ACTIVE_REFRESH_TOKENS_PER_USER", "0")],
            "MAX_ACTIVE_REFRESH_TOKENS_PER_USER: must be at least 1 (got 0)",
        ),
        (
            &[("APP_ENV", "staging")],
            r#"APP_ENV: must be one of local | production (got "staging")"#,
        ),
        (
            &[("AUTO_MIGRATE", "maybe")],
            r#"AUTO_MIGRATE: not a boolean ("maybe"); use true or false"#,
        ),
        (
            &[("OAUTH_GITHUB_CLIENT_ID", "abc")],
            "OAUTH_GITHUB_CLIENT_SECRET: required when OAUTH_GITHUB_CLIENT_ID is set",
        ),
        (
            &[("AUDIT_RETENTION_DAYS", "36501")],
            "AUDIT_RETENTION_DAYS: must be between 0 and 36500 (got 36501)",
        ),
        (
            &[("METRICS_ADDR", "localhost:9100")],
            r#"METRICS_ADDR: not an IP address and port ("localhost:9100"); use e.g. 127.0.0.1:9100 or [::1]:9100"#,
        ),
        (
            &[
                ("HOST", "127.0.0.1"),
                ("PORT", "9000"),
                ("METRICS_ADDR", "0.0.0.0:9000"),
            ],
            "METRICS_ADDR: must differ from HOST:PORT, the main listener",
        ),
    ];
    for (vars, expected) in cases {
        assert_eq!(error(vars).to_string(), *expected);
    }
}

#[test]
fn errors_never_quote_a_secret() {
    let password = "hunter2-very-secret";
    let database_url = format!("mysql://root:{password}@db/portcullis");
    let smtp_url = format!("http://mailer:{password}@mail.example.com");
    for (variable, value) in [
        ("DATABASE_URL", database_url.as_str()),
        ("REDIS_URL", smtp_url.as_str()),
        ("SMTP_URL", smtp_url.as_str()),
        ("JWT_SECRET", password),
    ] {
        let line = error(&[(variable, value)]).to_string();
        assert!(!line.contains(password), "{line}");
    }
}

#[test]
fn debug_output_redacts_every_secret() {
    let config = config(&production(&[
        ("METRICS_TOKEN", "metrics-token-value"),
        (
            "SMTP_URL",
            "smtp://mailer:smtp-password@mail.example.com:587",
        ),
        ("OAUTH_GOOGLE_CLIENT_ID", "google-id"),
        ("OAUTH_GOOGLE_CLIENT_SECRET", "google-secret-value"),
        ("OAUTH_GITHUB_CLIENT_ID", "github-id"),
        ("OAUTH_GITHUB_CLIENT_SECRET", "github-secret-value"),
    ]))
    .unwrap();
    let debug = format!("{config:?}");

    for secret in [
        SECRET,
        "hunter2",
        "metrics-token-value",
        "smtp-password",
        "google-secret-value",
        "github-secret-value",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked into {debug}");
    }
    assert_eq!(config.jwt.secret.unwrap().expose_secret(), SECRET);
}

#[test]
fn production_requires_its_stores_secret_and_public_url_in_order() {
    let mut vars = vec![("APP_ENV", "production")];
    for (variable, value) in [
        ("DATABASE_URL", "postgresql://db/portcullis"),
        ("REDIS_URL", "rediss://redis:6380"),
        ("JWT_SECRET", SECRET),
        ("PUBLIC_URL", "https://auth.example.com"),
    ] {
        assert_eq!(
            error(&vars).to_string(),
            format!("{variable}: production requires it (APP_ENV=production)")
        );
        vars.push((variable, value));
    }
    let config = config(&vars).unwrap();

    assert!(!config.is_local());
    assert_eq!(config.log_format, LogFormat::Json);
    assert!(!config.auto_migrate);
    assert!(config.cookies.secure);
    assert!(config.cookies.prefixed_names);
    assert_eq!(config.cookies.access_name(), "__Host-access_token");
    assert_eq!(config.cookies.refresh_name(), "__Secure-refresh_token");
    assert_eq!(config.jwt.issuer, "https://auth.example.com");
    assert_eq!(
        config.oauth.redirect_allowlist,
        ["https://auth.example.com"]
    );
}

#[test]
fn production_defaults_can_be_overridden() {
    let config = config(&production(&[
        ("LOG_FORMAT", "PRETTY"),
        ("AUTO_MIGRATE", "Yes"),
        ("COOKIE_SAMESITE", "Strict"),
        ("JWT_ISSUER", "https://issuer.example.com"),
    ]))
    .unwrap();

    assert_eq!(config.log_format, LogFormat::Pretty);
    assert!(config.auto_migrate);
    assert_eq!(config.cookies.same_site, SameSite::Strict);
    assert_eq!(config.cookies.same_site.as_str(), "Strict");
    assert_eq!(config.jwt.issuer, "https://issuer.example.com");
}

#[test]
fn jwt_secret_must_have_32_bytes_in_every_mode() {
    let short = &SECRET[..31];
    for vars in [
        vec![("JWT_SECRET", short)],
        production(&[("JWT_SECRET", short)]),
    ] {
        assert_eq!(
            error(&vars).to_string(),
            "JWT_SECRET: must be at least 32 bytes (got 31)"
        );
    }
    let config = config(&[("JWT_SECRET", SECRET)]).unwrap();
    assert_eq!(config.jwt.secret.unwrap().expose_secret(), SECRET);
    // Bytes, not characters: 11 three-byte characters are 33 bytes.
    assert!(self::config(&[("JWT_SECRET", "€€€€€€€€€€€")]).is_ok());
}

#[test]
fn a_wildcard_origin_is_refused_even_among_others() {
    for list in ["*", "https://app.example.com, *"] {
        let error = error(&[("CORS_ALLOWED_ORIGINS", list)]);
        assert_eq!(error.problem, Problem::WildcardOrigin);
        assert!(
            error
                .to_string()
                .starts_with("CORS_ALLOWED_ORIGINS: `*` is not allowed")
        );
    }
}

#[test]
fn origins_are_normalized_like_browsers_send_them() {
    let config = config(&[(
        "CORS_ALLOWED_ORIGINS",
        "HTTPS://App.Example.COM:443/, http://localhost:3000,, http://Example.com:80 ,\
         https://app.example.com, http://[::1]:8080, https://bücher.example, https://a.example.com:8443",
    )])
    .unwrap();

    assert_eq!(
        config.cors_allowed_origins,
        [
            "https://app.example.com",
            "http://localhost:3000",
            "http://example.com",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example",
            "https://a.example.com:8443",
        ]
    );
}

#[test]
fn origins_with_more_than_scheme_host_and_port_are_refused() {
    for origin in [
        "https://app.example.com/path",
        "https://app.example.com?x=1",
        "https://app.example.com#top",
        "https://user:pass@app.example.com",
        "ftp://app.example.com",
        "app.example.com",
        "https:app.example.com",
        "null",
        "localhost:3000",
    ] {
        let error = error(&[("CORS_ALLOWED_ORIGINS", origin)]);
        assert!(
            matches!(error.problem, Problem::NotAnOrigin { .. }),
            "{origin}: {error}"
        );
    }
}

#[test]
fn public_url_is_an_origin_without_trailing_slash() {
    let config = config(&[("PUBLIC_URL", "HTTPS://Auth.Example.com:443/")]).unwrap();
    assert_eq!(config.public_url, "https://auth.example.com");
    assert_eq!(config.jwt.issuer, "https://auth.example.com");

    // Unset in local: follows PORT, and the issuer stays the stable default.
    let config = self::config(&[("PORT", "3000")]).unwrap();
    assert_eq!(config.public_url, "http://localhost:3000");
    assert_eq!(config.jwt.issuer, "portcullis");
    assert_eq!(config.oauth.redirect_allowlist, ["http://localhost:3000"]);
}

#[test]
fn trusted_proxies_take_cidrs_and_bare_ips() {
    let config = config(&[(
        "TRUSTED_PROXIES",
        "10.0.0.0/8, 192.168.1.10 ,::1,fd00::/8,172.16.5.4/12,",
    )])
    .unwrap();
    let expected: Vec<IpNet> = [
        "10.0.0.0/8",
        "192.168.1.10/32",
        "::1/128",
        "fd00::/8",
        "172.16.0.0/12",
    ]
    .iter()
    .map(|net| net.parse().unwrap())
    .collect();

    assert_eq!(config.trusted_proxies, expected);
    assert!(config.trusted_proxies[0].contains(&"10.20.30.40".parse::<IpAddr>().unwrap()));
    for bad in ["10.0.0.0/33", "10.0.0", "fd00::/129", "*"] {
        let error = error(&[("TRUSTED_PROXIES", bad)]);
        assert!(
            matches!(error.problem, Problem::NotACidr(_)),
            "{bad}: {error}"
        );
    }
}

#[test]
fn durations_take_units_or_bare_seconds() {
    let cases = [
        ("90", Duration::from_secs(90)),
        ("3s", Duration::from_secs(3)),
        ("15m", Duration::from_secs(15 * 60)),
        ("168h", Duration::from_secs(168 * 3600)),
        ("1h 30m", Duration::from_secs(90 * 60)),
        ("2days", Duration::from_secs(2 * 86_400)),
        ("1500ms", Duration::from_millis(1500)),
        (" 45s ", Duration::from_secs(45)),
    ];
    for (value, expected) in cases {
        let config = config(&[("ACCESS_TOKEN_TTL", value)]).unwrap();
        assert_eq!(config.access_token_ttl, expected, "{value:?}");
    }
}

#[test]
fn a_zero_grace_window_is_allowed() {
    for zero in ["0s", "0", "0ms"] {
        let config = config(&[("REFRESH_REUSE_GRACE", zero)]).unwrap();
        assert_eq!(config.refresh_reuse_grace, Duration::ZERO);
        assert_eq!(config.auth_policy().reuse_grace, TimeSpan::zero());
    }
    let config = config(&[("JWT_LEEWAY", "0s"), ("SHUTDOWN_TIMEOUT", "0")]).unwrap();
    assert_eq!(config.jwt.leeway, Duration::ZERO);
    assert_eq!(config.shutdown_timeout, Duration::ZERO);
}

#[test]
fn lifetimes_must_be_longer_than_zero() {
    for variable in [
        "ACCESS_TOKEN_TTL",
        "REFRESH_TOKEN_TTL",
        "SESSION_ABSOLUTE_TTL",
        "RESET_TOKEN_TTL",
        "LOGIN_LOCKOUT_WINDOW",
        "LOGIN_LOCKOUT_DURATION",
    ] {
        assert_eq!(
            error(&[(variable, "0s")]).to_string(),
            format!("{variable}: must be longer than 0s")
        );
    }
}

#[test]
fn booleans_take_the_usual_spellings() {
    for (value, expected) in [
        ("true", true),
        ("TRUE", true),
        ("1", true),
        ("yes", true),
        ("Yes", true),
        ("false", false),
        ("False", false),
        ("0", false),
        ("no", false),
        ("NO", false),
    ] {
        let config = config(&[("RATE_LIMIT_FAIL_OPEN", value)]).unwrap();
        assert_eq!(config.rate_limits.fail_open, expected, "{value}");
    }
}

#[test]
fn blank_values_count_as_unset() {
    let config = config(&[
        ("APP_ENV", ""),
        ("PORT", "   "),
        ("JWT_SECRET", ""),
        ("DATABASE_URL", " "),
        ("CORS_ALLOWED_ORIGINS", " , "),
    ])
    .unwrap();
    assert!(config.is_local());
    assert_eq!(config.port, 8080);
    assert!(config.jwt.secret.is_none());
    assert!(config.database_url.is_none());
    assert!(config.cors_allowed_origins.is_empty());
}

#[test]
fn the_other_settings_are_read_as_given() {
    let config = config(&[
        ("HOST", "::"),
        ("PORT", "0"),
        ("DATA_DIR", "/var/lib/portcullis"),
        ("LOG_LEVEL", "warn,portcullis=debug,actix_web=INFO"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"),
        ("JWT_PRIVATE_KEY", "/keys/current.pem"),
        ("JWT_VERIFY_KEYS", "/keys/old1.pem, /keys/old2.pem"),
        ("JWT_AUDIENCE", "my-app"),
        ("BCRYPT_COST", "4"),
        ("BCRYPT_MAX_IN_FLIGHT", "3"),
        ("REQUIRE_EMAIL_VERIFICATION", "true"),
        ("EXPIRED_TOKEN_RETENTION_DAYS", "0"),
        ("AUDIT_RETENTION_DAYS", "0"),
        ("METRICS_ADDR", "[::1]:9100"),
        ("DEVICE_BINDING", "OFF"),
        ("MAIL_FROM", "no-reply@example.com"),
        ("OAUTH_GITHUB_CLIENT_ID", "gh-id"),
        ("OAUTH_GITHUB_CLIENT_SECRET", "gh-secret"),
        ("OAUTH_GITHUB_TOKEN_URL", "http://127.0.0.1:9999/token"),
        (
            "OAUTH_REDIRECT_ALLOWLIST",
            "https://app.example.com/, http://localhost:5173",
        ),
    ])
    .unwrap();

    assert_eq!(config.socket_addr().to_string(), "[::]:0");
    assert_eq!(
        config.data_dir,
        std::path::PathBuf::from("/var/lib/portcullis")
    );
    assert_eq!(config.log_level, "warn,portcullis=debug,actix_web=INFO");
    assert_eq!(
        config.otel_exporter_otlp_endpoint.as_deref(),
        Some("http://otel:4318")
    );
    assert_eq!(
        config.jwt.private_key,
        Some(std::path::PathBuf::from("/keys/current.pem"))
    );
    assert_eq!(config.jwt.verify_keys.len(), 2);
    assert_eq!(config.jwt.audience, "my-app");
    assert_eq!(config.bcrypt_cost, 4);
    assert_eq!(config.bcrypt_max_in_flight, 3);
    assert!(config.require_email_verification);
    assert_eq!(config.expired_token_retention_days, 0);
    assert_eq!(
        config.audit_retention_days, None,
        "0 keeps audit events forever"
    );
    assert_eq!(
        config.metrics_addr.map(|a| a.to_string()).as_deref(),
        Some("[::1]:9100")
    );
    assert_eq!(config.device_binding, DeviceBinding::Off);
    assert_eq!(config.mail_from, "no-reply@example.com");
    assert!(config.oauth.google.is_none());
    let github = config.oauth.github.unwrap();
    assert_eq!(github.client_id, "gh-id");
    assert_eq!(github.client_secret.expose_secret(), "gh-secret");
    assert_eq!(github.auth_url, "https://github.com/login/oauth/authorize");
    assert_eq!(github.token_url, "http://127.0.0.1:9999/token");
    assert_eq!(
        github.emails_url.as_deref(),
        Some("https://api.github.com/user/emails")
    );
    assert_eq!(
        config.oauth.redirect_allowlist,
        ["https://app.example.com", "http://localhost:5173"]
    );
}

#[test]
fn from_lookup_reads_exactly_the_listed_variables() {
    let asked = RefCell::new(BTreeSet::new());
    Config::from_lookup(|key| {
        asked.borrow_mut().insert(key.to_owned());
        None
    })
    .unwrap();
    let listed: BTreeSet<String> = VARIABLES.iter().map(|name| (*name).to_owned()).collect();

    assert_eq!(asked.into_inner(), listed);
    assert_eq!(listed.len(), VARIABLES.len(), "VARIABLES has a duplicate");
}

#[test]
fn env_example_lists_exactly_the_variables_in_order() {
    let in_example: Vec<&str> = ENV_EXAMPLE
        .lines()
        .filter_map(|line| line.strip_prefix("# "))
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name)
        .filter(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_')
        })
        .collect();

    assert_eq!(in_example, VARIABLES);
}

#[test]
fn env_example_values_are_all_accepted() {
    // Uncommenting every line of .env.example must give a valid configuration.
    let vars: Vec<(&str, &str)> = ENV_EXAMPLE
        .lines()
        .filter_map(|line| line.strip_prefix("# "))
        .filter_map(|line| line.split_once('='))
        .filter(|(name, _)| VARIABLES.contains(name))
        .map(|(name, value)| {
            let unquoted = value.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            (name, unquoted.unwrap_or(value))
        })
        .collect();
    let config = config(&vars).unwrap();
    assert!(config.database_url.is_some());
}

#[test]
fn the_module_doc_lists_every_variable() {
    let source = include_str!("../config.rs");
    let header: String = source
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .collect();
    for name in VARIABLES {
        assert!(
            header.contains(&format!("`{name}`")),
            "{name} is not documented"
        );
    }
}
