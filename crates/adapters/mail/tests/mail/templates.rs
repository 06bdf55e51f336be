use std::fs;

use portcullis_mail::{MailMessage, TemplateLoadError, Templates};

use super::{RESET_LINK, builtin, email, every_message, html_escaped};

#[test]
fn templates_can_be_shared_across_tasks() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Templates>();
}

#[test]
fn builtin_templates_compile_and_render_on_sample_values() {
    builtin().check().expect("the built-in templates are valid");
}

#[test]
fn every_message_has_a_subject_a_text_and_an_html_body_with_its_link() {
    let templates = builtin();
    let to = email("alice@example.com");
    for (message, link) in every_message() {
        let name = message.template_name();
        let mail = templates.render(&message, &to).expect(name);
        assert_eq!(mail.to, to);
        assert!(
            !mail.subject.is_empty() && !mail.subject.contains('\n'),
            "{name}"
        );
        assert!(
            mail.text.contains("alice@example.com"),
            "{name}: {}",
            mail.text
        );
        assert!(
            mail.html.contains("<html") && mail.html.contains("alice@example.com"),
            "{name}"
        );
        if let Some(link) = link {
            assert!(
                mail.text.contains(link),
                "{name}: plain part must carry the link verbatim"
            );
            assert!(
                !mail.text.contains("&amp;"),
                "{name}: no HTML escaping in the plain part"
            );
            let escaped = html_escaped(link);
            assert!(
                mail.html.contains(&format!("href=\"{escaped}\"")),
                "{name}: {}",
                mail.html
            );
            assert!(!mail.html.contains(link), "{name}: a raw & in HTML");
            assert!(
                !mail.html.contains("&#x2f;"),
                "{name}: slashes stay slashes"
            );
        }
    }
}

#[test]
fn lifetimes_and_the_security_notice_read_right() {
    let templates = builtin();
    let to = email("bob@example.com");
    let reset = |minutes| MailMessage::PasswordReset {
        link: RESET_LINK.to_owned(),
        expires_in_minutes: minutes,
    };
    let mail = templates.render(&reset(60), &to).unwrap();
    assert!(mail.text.contains("60 minutes"), "{}", mail.text);
    let mail = templates.render(&reset(1), &to).unwrap();
    assert!(mail.text.contains("1 minute)"), "{}", mail.text);
    let verify = MailMessage::EmailVerification {
        link: RESET_LINK.to_owned(),
        expires_in_hours: 24,
    };
    assert!(
        templates
            .render(&verify, &to)
            .unwrap()
            .text
            .contains("24 hours")
    );
    let notice = templates
        .render(&MailMessage::PasswordChanged, &to)
        .unwrap();
    assert_eq!(notice.subject, "Your password was changed");
    assert!(
        notice
            .text
            .contains("If this wasn't you, reset your password")
    );
    assert!(
        notice
            .html
            .contains("If this wasn't you, reset your password")
    );
}

#[test]
fn html_auto_escapes_a_malicious_value_and_text_keeps_it_verbatim() {
    let evil = "https://auth.example.com/r?t=1\"><script>alert('x')</script><a href=\"";
    let message = MailMessage::PasswordReset {
        link: evil.to_owned(),
        expires_in_minutes: 60,
    };
    let mail = builtin()
        .render(&message, &email("eve@example.com"))
        .unwrap();
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(
        mail.html
            .contains("&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
    );
    assert!(mail.text.contains(evil), "the plain part is not HTML");
}

#[test]
fn debug_output_hides_links() {
    for (message, link) in every_message() {
        let debug = format!("{message:?}");
        if let Some(link) = link {
            assert!(!debug.contains(link), "{debug}");
            assert!(!debug.contains("token"), "{debug}");
        }
    }
}

#[test]
fn a_directory_overrides_single_files_and_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("password_reset.subject"),
        "Reset for {{ email }} ({{ expires_in_minutes }} min)\n",
    )
    .unwrap();
    fs::write(dir.path().join("password_reset.txt"), "Go: {{ link }}").unwrap();
    fs::write(
        dir.path().join("layout.html"),
        "<html><body class=\"acme\">{% block content %}{% endblock %}</body></html>",
    )
    .unwrap();
    fs::write(dir.path().join("README.md"), "{% not a template").unwrap();
    fs::create_dir(dir.path().join("old")).unwrap();

    let templates = Templates::with_overrides(dir.path()).expect("valid overrides");
    let to = email("carol@example.com");
    let (reset, _) = every_message().remove(0);
    let mail = templates.render(&reset, &to).unwrap();
    assert_eq!(mail.subject, "Reset for carol@example.com (60 min)");
    assert_eq!(mail.text, format!("Go: {RESET_LINK}"));
    // The built-in HTML body, inside the overridden layout.
    assert!(
        mail.html.starts_with("<html><body class=\"acme\">"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains(&html_escaped(RESET_LINK)));
    // Messages without overrides are the built-in ones.
    let notice = templates
        .render(&MailMessage::PasswordChanged, &to)
        .unwrap();
    assert_eq!(notice.subject, "Your password was changed");
}

#[test]
fn overridden_html_is_auto_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("account_exists.html"),
        "<a href=\"{{ login_link }}\">in</a>",
    )
    .unwrap();
    let templates = Templates::with_overrides(dir.path()).unwrap();
    let message = MailMessage::AccountExists {
        login_link: "https://x.example/login?a=1&b=<i>".to_owned(),
    };
    let mail = templates
        .render(&message, &email("dan@example.com"))
        .unwrap();
    assert_eq!(
        mail.html,
        "<a href=\"https://x.example/login?a=1&amp;b=&lt;i&gt;\">in</a>"
    );
}

fn load_error(file: &str, source: &str) -> TemplateLoadError {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(file), source).unwrap();
    Templates::with_overrides(dir.path()).expect_err("the override is broken")
}

#[test]
fn a_syntax_error_fails_the_load_naming_file_and_line() {
    let error = load_error("password_reset.html", "<p>\n{% if link %}\n{{ link }</p>");
    assert!(
        matches!(&error, TemplateLoadError::Syntax { name, .. } if name == "password_reset.html")
    );
    let chain = format!("{:#}", anyhow::Error::from(error));
    assert!(
        chain.contains("password_reset.html") && chain.contains("syntax error"),
        "{chain}"
    );
    assert!(chain.contains(":3)") || chain.contains(":2)"), "{chain}");
}

#[test]
fn an_unknown_variable_fails_the_load() {
    let error = load_error("email_verification.txt", "Open {{ lnik }}");
    assert!(
        matches!(&error, TemplateLoadError::Render { name, .. } if name == "email_verification.txt"),
        "{error:?}"
    );
}

#[test]
fn a_missing_directory_fails_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let error = Templates::with_overrides(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(error, TemplateLoadError::Directory { .. }));
}
