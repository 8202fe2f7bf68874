//! masthead's outgoing mail: the digest and confirmation templates (askama, a text and an HTML
//! part each), message building with correct `Message-ID`, `Date` and RFC 2047 headers, DKIM
//! signing, a pooled SMTP transport with STARTTLS or implicit TLS, a disk outbox for when no
//! relay is configured, and a sending rate limit.
//!
//! Input: [`MailSettings`] (from the configuration; [`parse_smtp_url`] reads
//! `MASTHEAD_SMTP_URL`) and one [`OutgoingMail`] at a time. Output: a [`SendReceipt`] once the
//! relay accepted the mail or the outbox file is in place. It never chooses recipients or
//! stories and keeps no delivery records: `jobs` does both. It never logs an address, a subject
//! or a secret.
//!
//! ```no_run
//! # async fn demo() -> Result<(), masthead_mail::MailError> {
//! use masthead_mail::{MailAddress, MailSettings, Mailer, OutgoingMail, Transport};
//!
//! let mailer = Mailer::new(MailSettings {
//!     from: MailAddress::new("Orlando Echo", "news@echo.example"),
//!     transport: Transport::Outbox("data/outbox".into()),
//!     dkim: None,
//!     rate_per_second: None,
//!     pool_size: 4,
//! })?;
//! let receipt = mailer
//!     .send(&OutgoingMail {
//!         to: MailAddress::bare("reader@example.org"),
//!         subject: "Your daily Orlando Echo".into(),
//!         text: "…".into(),
//!         html: Some("<p>…</p>".into()),
//!         headers: vec![],
//!         message_id_hint: None,
//!     })
//!     .await?;
//! println!("{}", receipt.message_id);
//! # Ok(())
//! # }
//! ```

mod dkim;
mod error;
mod mailer;
mod message;
mod outbox;
mod pool;
mod settings;
pub mod signed;
mod templates;

pub use error::MailError;
pub use mailer::{AcceptedBy, Mailer, SendReceipt};
pub use message::{ComposedMail, OutgoingMail};
pub use outbox::{OutboxEntry, list_outbox};
pub use settings::{
    DEFAULT_POOL_SIZE, DEFAULT_SMTP_TIMEOUT, DkimSettings, MailAddress, MailSettings,
    SmtpCredentials, SmtpSettings, TlsMode, Transport, parse_smtp_url,
};
pub use templates::{
    ConfirmMail, DigestImage, DigestMail, DigestSection, DigestStory, render_confirm, render_digest,
};
