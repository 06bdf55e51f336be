use std::time::Duration;

use portcullis_mail::sink::SmtpSink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A hand-driven session: dot-stuffing, RSET, HELO, and `take`.
#[tokio::test]
async fn the_sink_speaks_plain_smtp() {
    let sink = SmtpSink::start().await.unwrap();
    let stream = TcpStream::connect(sink.addr()).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut expect = async |send: &str, code: &str| {
        if !send.is_empty() {
            write.write_all(send.as_bytes()).await.unwrap();
        }
        let line = lines.next_line().await.unwrap().unwrap();
        assert!(line.starts_with(code), "{send:?} -> {line}");
    };
    expect("", "220").await;
    expect("HELO test\r\n", "250").await;
    expect("DATA\r\n", "503").await;
    expect("MAIL FROM:<a@example.com>\r\n", "250").await;
    expect("RCPT TO:<b@example.com>\r\n", "250").await;
    expect("RSET\r\n", "250").await;
    expect("MAIL FROM:<a@example.com> BODY=8BITMIME\r\n", "250").await;
    expect("RCPT TO:<c@example.com>\r\n", "250").await;
    expect("DATA\r\n", "354").await;
    expect("Subject: hi\r\n\r\n..leading dot\r\n.\r\n", "250").await;
    expect("QUIT\r\n", "221").await;

    let mails = sink
        .wait_for_count(1, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(mails[0].rcpt_to, vec!["c@example.com".to_owned()]);
    assert_eq!(mails[0].subject().as_deref(), Some("hi"));
    assert!(
        mails[0].data.ends_with("\r\n.leading dot\r\n"),
        "{:?}",
        mails[0].data
    );
    assert_eq!(sink.take().len(), 1);
    assert!(sink.received().is_empty());
    assert!(
        sink.wait_for(|_| true, Duration::from_millis(50))
            .await
            .is_none()
    );
}
