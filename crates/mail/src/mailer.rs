//! The [`Mailer`]: composes, signs and delivers one mail at a time, to a pooled SMTP relay or
//! to the disk outbox, at most `rate_per_second` mails a second across all its clones.
//!
//! Plain and STARTTLS relays go through our own connection pool (`crate::pool`: `TCP_NODELAY`
//! sockets, so a mail's last line is not held back by Nagle's algorithm); implicit TLS
//! (`smtps://`) through lettre's pool, whose sockets cannot be given `TCP_NODELAY` (each mail
//! may then wait for the relay's delayed ACK, ~40 ms on Linux: use STARTTLS for bulk sending).
//!
//! It keeps no delivery records: exactly-once sending is the caller's job (a delivery row made
//! before `send`, completed after it returns). Logs carry the `Message-ID` and the relay, never
//! an address, a subject or a secret.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::dkim::DkimConfig;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::message::{ComposedMail, OutgoingMail, compose, mailbox};
use crate::outbox::write_to_outbox;
use crate::pool::{SmtpPool, SmtpPoolConfig};
use crate::{MailError, MailSettings, SmtpSettings, TlsMode, Transport};

/// Sends mail. Cheap to clone: clones share the SMTP pool and the rate limit.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    dkim: Option<DkimConfig>,
    backend: Backend,
    limiter: Option<RateLimiter>,
}

enum Backend {
    Smtp {
        client: Box<SmtpClient>,
        relay: String,
    },
    Outbox(PathBuf),
}

enum SmtpClient {
    /// Plain text or STARTTLS: our own pool of `TCP_NODELAY` connections.
    Pool(SmtpPool),
    /// Implicit TLS: lettre's pool.
    Lettre {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// lettre's `max_size` only caps the idle connections it keeps; this caps the
        /// connections in use, so the relay never sees more than `pool_size` at once.
        permits: Semaphore,
    },
}

/// What happened to a sent mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// The `Message-ID` header's value, with its angle brackets.
    pub message_id: String,
    pub accepted_by: AcceptedBy,
}

/// Who took the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptedBy {
    /// The relay accepted it; its reply's code and text (e.g. `250`, `2.0.0 Ok: queued as …`).
    Relay { code: String, reply: String },
    /// Written to this `.eml` file.
    Outbox(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.inner.backend {
            Backend::Smtp { relay, .. } => format!("smtp {relay}"),
            Backend::Outbox(dir) => format!("outbox {}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("transport", &transport)
            .field("dkim", &self.inner.dkim.is_some())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the settings, reads the DKIM key (an error names the file), creates the outbox
    /// directory or sets up the SMTP pool. Connects to nothing yet; see [`Mailer::check`].
    pub fn new(settings: MailSettings) -> Result<Self, MailError> {
        let from = mailbox("sender", &settings.from)?;
        let dkim = settings.dkim.as_ref().map(crate::dkim::load).transpose()?;
        let limiter = settings
            .rate_per_second
            .map(RateLimiter::per_second)
            .transpose()?;
        if settings.pool_size == 0 {
            return Err(MailError::Setting {
                setting: "pool_size",
                reason: "must be at least 1".to_owned(),
            });
        }
        let backend = match settings.transport {
            Transport::Smtp(smtp) => Backend::Smtp {
                relay: smtp.relay(),
                client: Box::new(smtp_client(&smtp, settings.pool_size)?),
            },
            Transport::Outbox(dir) => {
                std::fs::create_dir_all(&dir).map_err(|source| MailError::OutboxWrite {
                    path: dir.clone(),
                    source,
                })?;
                Backend::Outbox(dir)
            }
        };
        Ok(Mailer {
            inner: Arc::new(Inner {
                from,
                dkim,
                backend,
                limiter,
            }),
        })
    }

    /// Builds and signs a mail without sending it: for previews and tests.
    pub fn compose(&self, mail: &OutgoingMail) -> Result<ComposedMail, MailError> {
        compose(&self.inner.from, self.inner.dkim.as_ref(), mail)
    }

    /// Builds, signs and delivers one mail, waiting first for the rate limit. Returns once the
    /// relay accepted it (or the outbox file is in place). On error, `MailError::is_transient`
    /// says whether a retry may succeed and `is_permanent` marks a hard bounce.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<SendReceipt, MailError> {
        let composed = self.compose(mail)?;
        if let Some(limiter) = &self.inner.limiter {
            limiter.wait().await;
        }
        self.deliver(composed).await
    }

    /// Delivers a mail made by [`Mailer::compose`] (no rate limit: `send` applies it).
    pub async fn deliver(&self, composed: ComposedMail) -> Result<SendReceipt, MailError> {
        let ComposedMail {
            message_id,
            bytes,
            envelope,
        } = composed;
        let accepted_by = match &self.inner.backend {
            Backend::Smtp { client, relay } => {
                let result = match &**client {
                    SmtpClient::Pool(pool) => pool.send(&envelope, &bytes).await,
                    SmtpClient::Lettre { transport, permits } => {
                        // Never closed, so acquiring cannot fail.
                        let _permit = permits.acquire().await.ok();
                        let result = transport.send_raw(&envelope, &bytes).await;
                        // lettre parks the connection back in its pool from a spawned task;
                        // yielding once before giving up the permit lets that task run first,
                        // so the next sender reuses the connection instead of opening another.
                        tokio::task::yield_now().await;
                        result
                    }
                };
                let response = result.map_err(|error| {
                    tracing::debug!(message_id = %message_id, relay = %relay, "SMTP relay did not take the mail");
                    MailError::Smtp {
                        relay: relay.clone(),
                        error,
                    }
                })?;
                tracing::debug!(message_id = %message_id, relay = %relay, "mail sent");
                AcceptedBy::Relay {
                    code: response.code().to_string(),
                    reply: response.message().collect::<Vec<_>>().join(" "),
                }
            }
            Backend::Outbox(dir) => {
                let path = write_to_outbox(dir, &message_id, bytes).await?;
                tracing::debug!(message_id = %message_id, path = %path.display(), "mail written to the outbox");
                AcceptedBy::Outbox(path)
            }
        };
        Ok(SendReceipt {
            message_id,
            accepted_by,
        })
    }

    /// Connects to the relay and says hello (readiness checks); always fine for the outbox.
    pub async fn check(&self) -> Result<(), MailError> {
        match &self.inner.backend {
            Backend::Smtp { client, relay } => {
                let result = match &**client {
                    SmtpClient::Pool(pool) => pool.check().await,
                    SmtpClient::Lettre { transport, .. } => {
                        transport.test_connection().await.map(|_| ())
                    }
                };
                result.map_err(|error| MailError::Smtp {
                    relay: relay.clone(),
                    error,
                })
            }
            Backend::Outbox(_) => Ok(()),
        }
    }
}

fn smtp_client(smtp: &SmtpSettings, pool_size: u32) -> Result<SmtpClient, MailError> {
    let tls_parameters = || {
        TlsParameters::new(smtp.host.clone()).map_err(|error| MailError::Smtp {
            relay: smtp.relay(),
            error,
        })
    };
    let credentials = smtp.credentials.as_ref().map(|credentials| {
        Credentials::new(
            credentials.username.clone(),
            credentials.password.expose_secret().to_owned(),
        )
    });
    let starttls = match smtp.tls {
        TlsMode::None => None,
        TlsMode::StartTls => Some(tls_parameters()?),
        TlsMode::Implicit => {
            return Ok(SmtpClient::Lettre {
                transport: lettre_transport(smtp, tls_parameters()?, credentials, pool_size),
                permits: Semaphore::new(usize::try_from(pool_size).unwrap_or(1)),
            });
        }
    };
    Ok(SmtpClient::Pool(SmtpPool::new(SmtpPoolConfig {
        host: smtp.host.clone(),
        port: smtp.port,
        timeout: smtp.timeout,
        starttls,
        credentials,
        pool_size: usize::try_from(pool_size).unwrap_or(1),
    })))
}

/// lettre's pooled transport, for implicit TLS.
fn lettre_transport(
    smtp: &SmtpSettings,
    tls_parameters: TlsParameters,
    credentials: Option<Credentials>,
    pool_size: u32,
) -> AsyncSmtpTransport<Tokio1Executor> {
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .tls(Tls::Wrapper(tls_parameters))
        .timeout(Some(smtp.timeout))
        .pool_config(
            PoolConfig::new()
                .max_size(pool_size)
                .idle_timeout(Duration::from_secs(60)),
        );
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    builder.build()
}

/// Spreads mails evenly: each send reserves the next free slot, `interval` after the last one,
/// and sleeps until it (no burst, so a relay's per-second limit holds over any window).
struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    fn per_second(rate: f64) -> Result<Self, MailError> {
        let fail = |reason: &str| MailError::Setting {
            setting: "rate_per_second",
            reason: reason.to_owned(),
        };
        if !(rate.is_finite() && rate > 0.0) {
            return Err(fail("must be a positive number"));
        }
        let interval = Duration::try_from_secs_f64(1.0 / rate)
            .map_err(|_| fail("too small: more than a mail a century"))?;
        Ok(RateLimiter {
            interval,
            next: Mutex::new(None),
        })
    }

    async fn wait(&self) {
        let slot = {
            // A poisoned lock only means another sender panicked mid-update of an Instant.
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
