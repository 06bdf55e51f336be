use std::io::Write;
use std::sync::{Arc, Mutex};

use portcullis_domain::ports::Mailer;
use portcullis_mail::sink::ReceivedMail;
use portcullis_mail::{DirectoryMailer, MailMessage};

use super::{RESET_LINK, builtin, email};

/// Collects log output in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_mail_becomes_a_parseable_eml_file_and_one_log_line_without_the_link() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let root = tempfile::tempdir().unwrap();
    let outbox = root.path().join("data").join("outbox");
    let mailer = DirectoryMailer::new(&outbox, "Portcullis <no-reply@localhost>").unwrap();
    assert!(outbox.is_dir(), "created at construction");
    let message = MailMessage::PasswordReset {
        link: RESET_LINK.to_owned(),
        expires_in_minutes: 60,
    };
    let rendered = builtin()
        .render(&message, &email("gus@example.com"))
        .unwrap();
    mailer.send(&rendered).await.unwrap();
    mailer.send(&rendered).await.unwrap();

    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "one file per mail, no leftovers: {files:?}");
    for name in &files {
        assert!(
            name.ends_with(".eml") && name.contains("-gus@example.com-"),
            "{name}"
        );
        assert!(
            name.starts_with("20") && name.as_bytes()[8] == b'T',
            "{name}"
        );
    }
    let data = std::fs::read_to_string(outbox.join(&files[0])).unwrap();
    assert!(data.contains("\r\n"), "RFC 5322 line ends");
    let mail = ReceivedMail {
        mail_from: String::new(),
        rcpt_to: Vec::new(),
        credentials: None,
        data,
    };
    assert_eq!(mail.to_header(), vec!["gus@example.com".to_owned()]);
    assert_eq!(mail.subject().as_deref(), Some("Reset your password"));
    assert!(mail.text().unwrap().contains(RESET_LINK));
    assert!(
        mail.data.contains(&format!("\r\n{RESET_LINK}\r\n")),
        "the link is readable in the file"
    );
    assert!(mail.html().unwrap().contains("token=Ab_9-xY&amp;lang=en"));
    assert!(mail.header("Date").is_some() && mail.header("Message-ID").is_some());

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        logs.matches("mail written to the local outbox").count(),
        2,
        "{logs}"
    );
    assert!(logs.contains(&files[0]), "the log names the file: {logs}");
    assert!(!logs.contains("token"), "never the link or token: {logs}");
}

#[test]
fn an_unusable_directory_fails_at_construction() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let error = DirectoryMailer::new(file.join("outbox"), "no-reply@localhost").unwrap_err();
    assert!(error.to_string().contains("outbox"), "{error}");
}
