//! `SmtpSink`: an in-process SMTP server for tests (feature `test-support`).
//!
//! It speaks enough SMTP for lettre and most clients — `EHLO`/`HELO`, `AUTH PLAIN` /
//! `AUTH LOGIN` (any credentials pass and are recorded), `MAIL FROM`, `RCPT TO`, `DATA`,
//! `RSET`, `NOOP`, `QUIT` — offers no STARTTLS, and keeps every accepted message in memory.
//! It can defer or refuse recipients, or stall, to exercise failure paths, and it can be
//! stopped and started again on the same port ("the relay comes back").
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//! use portcullis_mail::sink::SmtpSink;
//!
//! let sink = SmtpSink::start().await?;
//! // configure the server under test with SMTP_URL = sink.url()
//! let mail = sink
//!     .wait_for(|mail| mail.is_to("alice@example.com"), Duration::from_secs(5))
//!     .await
//!     .expect("a mail to alice");
//! let link = mail.link_containing("/reset-password?token=");
//! # Ok(()) }
//! ```

mod received;
mod session;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

pub use received::ReceivedMail;

/// How the sink answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SinkBehavior {
    /// Accept every message.
    #[default]
    Accept,
    /// Answer `451` to every `RCPT TO`: a temporary failure.
    DeferRecipients,
    /// Answer `550` to every `RCPT TO`: a permanent failure.
    RejectRecipients,
    /// Accept connections and never say a word (not even the greeting).
    Stall,
}

/// State shared by the listener and its connections.
#[derive(Debug)]
struct Shared {
    inbox: watch::Sender<Vec<ReceivedMail>>,
    behavior: Mutex<SinkBehavior>,
}

impl Shared {
    fn behavior(&self) -> SinkBehavior {
        *self.behavior.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running sink; dropping it stops it.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// When no socket can be bound.
    pub async fn start() -> io::Result<Self> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a sink on `addr`, e.g. the address of a sink stopped before (the port is
    /// bound with `SO_REUSEADDR`, so it is free again at once). The inbox starts empty.
    ///
    /// # Errors
    /// When `addr` cannot be bound.
    pub async fn start_on(addr: SocketAddr) -> io::Result<Self> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = socket.listen(64)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inbox: watch::channel(Vec::new()).0,
            behavior: Mutex::new(SinkBehavior::Accept),
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// Where the sink listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An `SMTP_URL` for this sink: `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Changes how the sink answers, for connections and commands from now on.
    pub fn set_behavior(&self, behavior: SinkBehavior) {
        *self
            .shared
            .behavior
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = behavior;
    }

    /// Every message accepted so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.inbox.borrow().clone()
    }

    /// Removes and returns every message accepted so far.
    pub fn take(&self) -> Vec<ReceivedMail> {
        let mut taken = Vec::new();
        self.shared
            .inbox
            .send_modify(|inbox| taken = std::mem::take(inbox));
        taken
    }

    /// The oldest message matching `matches`, waiting up to `timeout` for one to arrive;
    /// `None` when none did.
    pub async fn wait_for(
        &self,
        mut matches: impl FnMut(&ReceivedMail) -> bool,
        timeout: Duration,
    ) -> Option<ReceivedMail> {
        let mut inbox = self.shared.inbox.subscribe();
        let inbox = tokio::time::timeout(
            timeout,
            inbox.wait_for(|mails| mails.iter().any(&mut matches)),
        )
        .await
        .ok()?
        .ok()?;
        inbox.iter().find(|mail| matches(mail)).cloned()
    }

    /// Waits up to `timeout` until at least `count` messages were accepted, and returns
    /// them all; `None` when fewer arrived.
    pub async fn wait_for_count(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Option<Vec<ReceivedMail>> {
        let mut inbox = self.shared.inbox.subscribe();
        let mails = tokio::time::timeout(timeout, inbox.wait_for(|mails| mails.len() >= count))
            .await
            .ok()?
            .ok()?
            .clone();
        Some(mails)
    }

    /// Stops listening and drops every open connection; returns the address, to
    /// [`SmtpSink::start_on`] it again.
    pub async fn stop(mut self) -> SocketAddr {
        self.task.abort();
        // Cancelled, as asked: the listener and the connections are closed now.
        let _ = (&mut self.task).await;
        self.addr
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections until aborted; aborting drops the `JoinSet`, which ends every
/// connection with it.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                connections.spawn(session::run(stream, Arc::clone(&shared)));
            }
            // E.g. out of file descriptors: wait instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
