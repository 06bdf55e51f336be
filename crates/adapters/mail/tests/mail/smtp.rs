use std::time::{Duration, Instant};

use portcullis_domain::mail::OutgoingMail;
use portcullis_domain::ports::{MailError, Mailer};
use portcullis_mail::sink::{SinkBehavior, SmtpSink};
use portcullis_mail::{MailConfigError, MailMessage, SmtpConfig, SmtpMailer};
use secrecy::SecretString;

use super::{builtin, email, every_message, html_escaped};

const WAIT: Duration = Duration::from_secs(5);

fn mailer_for(url: &str) -> SmtpMailer {
    let mut config = SmtpConfig::new(
        SecretString::from(url),
        "Portcullis <no-reply@auth.example.com>",
    );
    config.connect_timeout = Duration::from_secs(1);
    config.send_timeout = Duration::from_secs(2);
    SmtpMailer::new(&config).expect("a valid SMTP configuration")
}

fn notice(to: &str) -> OutgoingMail {
    builtin()
        .render(&MailMessage::PasswordChanged, &email(to))
        .unwrap()
}

async fn send_within(
    mailer: &SmtpMailer,
    mail: &OutgoingMail,
    bound: Duration,
) -> Result<(), MailError> {
    let started = Instant::now();
    let result = mailer.send(mail).await;
    assert!(started.elapsed() < bound, "took {:?}", started.elapsed());
    result
}

#[tokio::test]
async fn every_template_arrives_whole_through_smtp() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer_for(&sink.url());
    let templates = builtin();
    for (index, (message, link)) in every_message().into_iter().enumerate() {
        let to = format!("user{index}@example.com");
        let rendered = templates.render(&message, &email(&to)).unwrap();
        mailer.send(&rendered).await.expect("the sink accepts");

        let name = message.template_name();
        let mail = sink.wait_for(|m| m.is_to(&to), WAIT).await.expect(name);
        assert_eq!(mail.rcpt_to, vec![to.clone()], "{name}");
        assert_eq!(mail.mail_from, "no-reply@auth.example.com");
        assert_eq!(mail.to_header(), vec![to.clone()]);
        assert_eq!(
            mail.subject().as_deref(),
            Some(rendered.subject.as_str()),
            "{name}"
        );
        let text = mail.text().expect("a text/plain part");
        let html = mail.html().expect("a text/html part");
        // SMTP carries CRLF line ends.
        let lf = |body: &str| body.replace("\r\n", "\n").trim_end().to_owned();
        assert_eq!(lf(&text), lf(&rendered.text), "{name}");
        assert_eq!(lf(&html), lf(&rendered.html), "{name}");
        if let Some(link) = link {
            assert!(text.contains(link), "{name}: {text}");
            assert!(!text.contains("&amp;"), "{name}");
            assert!(html.contains(&html_escaped(link)), "{name}");
            assert_eq!(
                mail.links().first().map(String::as_str),
                Some(link),
                "{name}"
            );
        }
        let message_id = mail.header("Message-ID").expect("a Message-ID");
        assert!(message_id.ends_with("@auth.example.com>"), "{message_id}");
        assert_eq!(
            mail.header("Auto-Submitted").as_deref(),
            Some("auto-generated")
        );
        assert!(mail.credentials.is_none());
    }
    assert_eq!(sink.received().len(), 4);
}

#[tokio::test]
async fn credentials_come_from_the_url_percent_decoded() {
    let sink = SmtpSink::start().await.unwrap();
    let url = format!(
        "smtp://mailer%40example.com:p%40ss%3Aw%2Fo%20rd@{}",
        sink.addr()
    );
    mailer_for(&url)
        .send(&notice("ann@example.com"))
        .await
        .unwrap();
    let mail = sink
        .wait_for(|m| m.is_to("ann@example.com"), WAIT)
        .await
        .unwrap();
    assert_eq!(
        mail.credentials,
        Some(("mailer@example.com".to_owned(), "p@ss:w/o rd".to_owned()))
    );
}

#[tokio::test]
async fn a_sink_that_is_down_is_unavailable_quickly() {
    let addr = SmtpSink::start().await.unwrap().stop().await;
    let mailer = mailer_for(&format!("smtp://{addr}"));
    let result = send_within(&mailer, &notice("ben@example.com"), Duration::from_secs(3)).await;
    assert!(
        matches!(result, Err(MailError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_silent_server_is_unavailable_within_the_send_timeout() {
    let sink = SmtpSink::start().await.unwrap();
    sink.set_behavior(SinkBehavior::Stall);
    let mailer = mailer_for(&sink.url());
    let result = send_within(&mailer, &notice("cat@example.com"), Duration::from_secs(4)).await;
    assert!(
        matches!(result, Err(MailError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_4xx_reply_is_unavailable_and_a_5xx_reply_is_rejected() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer_for(&sink.url());
    sink.set_behavior(SinkBehavior::DeferRecipients);
    let deferred = mailer.send(&notice("dee@example.com")).await;
    assert!(
        matches!(deferred, Err(MailError::Unavailable(_))),
        "{deferred:?}"
    );
    sink.set_behavior(SinkBehavior::RejectRecipients);
    let refused = mailer.send(&notice("dee@example.com")).await;
    assert!(
        matches!(refused, Err(MailError::Rejected(_))),
        "{refused:?}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn smtps_speaks_tls_first_and_fails_against_a_plain_server() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer_for(&format!(
        "smtps://user:secret@localhost:{}",
        sink.addr().port()
    ));
    let result = send_within(&mailer, &notice("eli@example.com"), Duration::from_secs(4)).await;
    assert!(
        matches!(result, Err(MailError::Unavailable(_))),
        "{result:?}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn starttls_required_refuses_a_server_without_it() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer_for(&format!("{}?tls=required", sink.url()));
    let result = send_within(&mailer, &notice("gil@example.com"), Duration::from_secs(4)).await;
    assert!(
        matches!(result, Err(MailError::Unavailable(_))),
        "{result:?}"
    );
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn non_ascii_subjects_and_bodies_survive_the_encoding() {
    let sink = SmtpSink::start().await.unwrap();
    let mail = OutgoingMail {
        to: email("jörg@example.com"),
        subject: "Passwort zurücksetzen – jetzt ✓".to_owned(),
        text: format!("Grüße\n{}\n", "x".repeat(200)),
        html: "<p>Grüße &amp; <b>ünïcödé</b></p>".to_owned(),
    };
    mailer_for(&sink.url()).send(&mail).await.unwrap();
    let received = sink.wait_for(|_| true, WAIT).await.unwrap();
    assert_eq!(received.subject().as_deref(), Some(mail.subject.as_str()));
    assert!(
        received.text().unwrap().contains(&"x".repeat(200)),
        "long lines are folded back"
    );
    assert!(received.text().unwrap().starts_with("Grüße"));
    assert_eq!(received.html().unwrap().trim_end(), mail.html);
}

#[tokio::test]
async fn mail_goes_through_again_once_the_sink_is_back() {
    let sink = SmtpSink::start().await.unwrap();
    let mailer = mailer_for(&sink.url());
    let addr = sink.stop().await;
    let down = mailer.send(&notice("fay@example.com")).await;
    assert!(matches!(down, Err(MailError::Unavailable(_))), "{down:?}");

    let sink = SmtpSink::start_on(addr).await.unwrap();
    mailer
        .send(&notice("fay@example.com"))
        .await
        .expect("delivered after the restart");
    assert!(
        sink.wait_for(|m| m.is_to("fay@example.com"), WAIT)
            .await
            .is_some()
    );
}

#[test]
fn configuration_errors_are_reported_without_the_url() {
    let config = |url: &str, from: &str| SmtpConfig::new(SecretString::from(url), from);
    let bad_from = SmtpMailer::new(&config("smtp://127.0.0.1:2525", "not a mailbox")).unwrap_err();
    assert!(matches!(bad_from, MailConfigError::From(_)), "{bad_from:?}");
    let bad_url =
        SmtpMailer::new(&config("http://u:hunter2@x.example", "a@example.com")).unwrap_err();
    assert!(!format!("{bad_url} {bad_url:?}").contains("hunter2"));
    let config = config("smtps://u:hunter2@x.example", "a@example.com");
    let mailer = SmtpMailer::new(&config).unwrap();
    let debug = format!("{config:?} {mailer:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
}
