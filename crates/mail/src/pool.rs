//! Our own pool of SMTP connections, for plain and STARTTLS relays.
//!
//! Why not lettre's pooled `AsyncSmtpTransport`: it opens its sockets without `TCP_NODELAY` and
//! writes a mail's body and the final `.` line as two writes, so Nagle's algorithm holds the
//! `.` back until the relay's delayed ACK (~40 ms a mail on Linux). Here each connection is a
//! `tokio::net::TcpStream` with `set_nodelay(true)`, handed to lettre's
//! [`AsyncSmtpConnection`] for the SMTP conversation (EHLO, STARTTLS, AUTH, dot-stuffing).
//!
//! At most `pool_size` connections are in use (a semaphore) and idle ones are kept for reuse
//! (most recently used first, closed after a minute idle). A send that fails on the connection
//! before the relay accepted `DATA` (a stale connection the relay closed, say) is retried once
//! on a fresh connection; after `DATA` nothing is retried, since the relay may have taken the
//! mail. Every read and write on a connection times out after `timeout` without progress.
//!
//! Implicit TLS (`smtps://`) stays on lettre's transport: its TLS handshake has to come before
//! the greeting, which `AsyncSmtpConnection` only does on sockets it opens itself.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::Error;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

/// Idle connections older than this are closed rather than reused (lettre's pool used 60 s).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The relay and how to talk to it.
pub(crate) struct SmtpPoolConfig {
    pub host: String,
    pub port: u16,
    pub timeout: Duration,
    /// `Some` for STARTTLS (required), `None` for plain text.
    pub starttls: Option<TlsParameters>,
    pub credentials: Option<Credentials>,
    pub pool_size: usize,
}

pub(crate) struct SmtpPool {
    config: SmtpPoolConfig,
    hello: ClientId,
    permits: Semaphore,
    idle: Mutex<Vec<Idle>>,
}

struct Idle {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// A failed send, and whether the relay had accepted `DATA` yet.
struct Failed {
    error: Error,
    before_data: bool,
}

impl SmtpPool {
    pub(crate) fn new(config: SmtpPoolConfig) -> SmtpPool {
        SmtpPool {
            permits: Semaphore::new(config.pool_size.max(1)),
            config,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one mail on a pooled connection (waiting for one if all `pool_size` are busy).
    pub(crate) async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<Response, Error> {
        // Never closed, so acquiring cannot fail.
        let _permit = self.permits.acquire().await.ok();
        let mut conn = match self.take_idle() {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        match send_on(&mut conn, envelope, bytes).await {
            Ok(response) => {
                self.park(conn);
                Ok(response)
            }
            Err(failed) => {
                let retry = failed.before_data && is_connection_error(&failed.error);
                self.recycle(conn, &failed.error).await;
                if !retry {
                    return Err(failed.error);
                }
                // Nothing was accepted on the broken connection: once more on a fresh one.
                tracing::debug!("SMTP connection failed before DATA; retrying on a new one");
                let mut conn = self.connect().await?;
                match send_on(&mut conn, envelope, bytes).await {
                    Ok(response) => {
                        self.park(conn);
                        Ok(response)
                    }
                    Err(failed) => {
                        self.recycle(conn, &failed.error).await;
                        Err(failed.error)
                    }
                }
            }
        }
    }

    /// Opens a connection of its own (greeting, EHLO, STARTTLS, AUTH) and says QUIT.
    pub(crate) async fn check(&self) -> Result<(), Error> {
        let mut conn = self.connect().await?;
        // The relay answered and took our credentials: a failed QUIT changes nothing.
        let _ = conn.quit().await;
        Ok(())
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        // A poisoned lock only means another sender panicked while pushing or popping.
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(Idle { conn, since }) = idle.pop() {
            if since.elapsed() < IDLE_TIMEOUT && !conn.has_broken() {
                return Some(conn);
            }
            // Too old or broken: dropped, which closes the socket.
        }
        None
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.retain(|i| i.since.elapsed() < IDLE_TIMEOUT);
        idle.push(Idle {
            conn,
            since: Instant::now(),
        });
    }

    /// After a failed send: a refusal (a reply with a code) leaves the connection usable once
    /// reset; anything else drops it.
    async fn recycle(&self, mut conn: AsyncSmtpConnection, error: &Error) {
        if error.status().is_some() && !conn.has_broken() && conn.command(Rset).await.is_ok() {
            self.park(conn);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Error> {
        let config = &self.config;
        let address = (config.host.as_str(), config.port);
        let tcp = match tokio::time::timeout(config.timeout, TcpStream::connect(address)).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(error)) => return Err(io_error(error, &self.hello).await),
            Err(_) => {
                let error = io::Error::new(io::ErrorKind::TimedOut, "connection timed out");
                return Err(io_error(error, &self.hello).await);
            }
        };
        if let Err(error) = tcp.set_nodelay(true) {
            return Err(io_error(error, &self.hello).await);
        }
        let stream = TimeoutStream::new(tcp, config.timeout);
        let mut conn =
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
        if let Some(tls) = &config.starttls {
            // Required: lettre's `starttls` refuses with a client error, writing nothing, when
            // the relay does not offer it (`can_starttls()` is false on a plain connection).
            let offered = conn.can_starttls();
            if let Err(error) = conn.starttls(tls.clone(), &self.hello).await {
                tracing::debug!(offered, "STARTTLS failed");
                conn.abort().await;
                return Err(error);
            }
        }
        if let Some(credentials) = &config.credentials
            && let Err(error) = conn
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
        {
            conn.abort().await;
            return Err(error);
        }
        Ok(conn)
    }
}

/// MAIL, RCPT and DATA, then the body: what `AsyncSmtpConnection::send` does, but telling a
/// failure before `DATA` was accepted (safe to retry) from one after (the relay may have the
/// mail).
async fn send_on(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<Response, Failed> {
    let before = |error: Error| Failed {
        error,
        before_data: true,
    };
    let non_ascii_addresses = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    let info = conn.server_info();
    let smtputf8 = info.supports_feature(Extension::SmtpUtfEight);
    let eightbit = info.supports_feature(Extension::EightBitMime);
    if (non_ascii_addresses && !smtputf8) || (!bytes.is_ascii() && !eightbit) {
        // lettre's own send checks exactly this first and refuses with its client error,
        // writing nothing.
        return conn.send(envelope, bytes).await.map_err(before);
    }
    let mut options = Vec::new();
    if non_ascii_addresses {
        options.push(MailParameter::SmtpUtfEight);
    }
    if !bytes.is_ascii() {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(before)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))
            .await
            .map_err(before)?;
    }
    conn.command(Data).await.map_err(before)?;
    conn.message(bytes).await.map_err(|error| Failed {
        error,
        before_data: false,
    })
}

/// The connection failed (reset, closed, timed out, garbled), as opposed to the relay refusing
/// with a reply code or lettre refusing the mail itself.
fn is_connection_error(error: &Error) -> bool {
    error.status().is_none() && !error.is_client()
}

/// lettre builds its errors only itself: it wraps this I/O error as a network error when its
/// connection reads from a stream that fails with it.
async fn io_error(error: io::Error, hello: &ClientId) -> Error {
    let stream = FailedStream(Some(error));
    let mut conn = match AsyncSmtpConnection::connect_with_transport(Box::new(stream), hello).await
    {
        Err(error) => return error,
        Ok(conn) => conn,
    };
    // Not reached: reading the greeting fails. Every write fails too, so this ends at once.
    loop {
        if let Err(error) = conn.quit().await {
            return error;
        }
    }
}

/// A stream whose first read fails with the given error.
#[derive(Debug)]
struct FailedStream(Option<io::Error>);

impl AsyncRead for FailedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let error = self
            .get_mut()
            .0
            .take()
            .unwrap_or_else(|| io::Error::from(io::ErrorKind::NotConnected));
        Poll::Ready(Err(error))
    }
}

impl AsyncWrite for FailedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::from(io::ErrorKind::NotConnected)))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncTokioStream for FailedStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Err(io::Error::from(io::ErrorKind::NotConnected))
    }
}

/// A TCP stream whose reads and writes fail with `TimedOut` after `timeout` without progress
/// (lettre's tokio transport only times out the connect).
#[derive(Debug)]
struct TimeoutStream {
    inner: TcpStream,
    timeout: Duration,
    read_deadline: Option<Pin<Box<Sleep>>>,
    write_deadline: Option<Pin<Box<Sleep>>>,
}

impl TimeoutStream {
    fn new(inner: TcpStream, timeout: Duration) -> TimeoutStream {
        TimeoutStream {
            inner,
            timeout,
            read_deadline: None,
            write_deadline: None,
        }
    }
}

/// Ready passes through (and disarms the deadline); Pending arms it, and fails once it passed.
fn with_deadline<T>(
    poll: Poll<io::Result<T>>,
    deadline: &mut Option<Pin<Box<Sleep>>>,
    timeout: Duration,
    cx: &mut Context<'_>,
) -> Poll<io::Result<T>> {
    if poll.is_ready() {
        *deadline = None;
        return poll;
    }
    let sleep = deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
    match sleep.as_mut().poll(cx) {
        Poll::Ready(()) => {
            *deadline = None;
            Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the SMTP relay did not answer in time",
            )))
        }
        Poll::Pending => Poll::Pending,
    }
}

impl AsyncRead for TimeoutStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        with_deadline(poll, &mut this.read_deadline, this.timeout, cx)
    }
}

impl AsyncWrite for TimeoutStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        with_deadline(poll, &mut this.write_deadline, this.timeout, cx)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        with_deadline(poll, &mut this.write_deadline, this.timeout, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        with_deadline(poll, &mut this.write_deadline, this.timeout, cx)
    }
}

impl AsyncTokioStream for TimeoutStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}
