//! The crate's one error type.
//!
//! Variants carry the failing input and the cause, except where the input is a secret or an
//! email address: an SMTP password, a DKIM key or a subscriber's address never reaches an error
//! message, since errors end up in logs.

use std::path::PathBuf;

/// Everything that can go wrong building, signing, sending or listing mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL does not parse or asks for something we do not do. `url` has its password
    /// replaced by `***`.
    #[error("invalid SMTP URL {url:?}: {reason}")]
    SmtpUrl { url: String, reason: String },

    /// A mail setting that is out of range (rate, pool size…).
    #[error("invalid mail setting `{setting}`: {reason}")]
    Setting {
        setting: &'static str,
        reason: String,
    },

    /// The DKIM private key cannot be read or is not a key we can sign with.
    #[error("DKIM key {path}: {reason}")]
    DkimKey { path: PathBuf, reason: String },

    /// An address (sender or recipient) is not a valid email address. The address itself is
    /// left out on purpose.
    #[error("invalid {role} email address")]
    Address {
        role: &'static str,
        #[source]
        source: lettre::address::AddressError,
    },

    /// An extra header has a bad name, a line break in its value, or replaces a header the
    /// mailer sets itself.
    #[error("invalid header `{name}`: {reason}")]
    Header { name: String, reason: String },

    /// lettre refused to assemble the message.
    #[error("cannot build the message")]
    Build {
        #[source]
        source: lettre::error::Error,
    },

    /// The SMTP relay refused the message or could not be reached. `is_transient` and
    /// `is_permanent` tell a retry from a bounce. The message shows the kind and reply code of
    /// a refusal but not the relay's text, which often quotes the recipient's address;
    /// connection and TLS failures are shown in full. The lettre error is not a `source` for
    /// the same reason: `MailError::relay_error` reaches it.
    #[error("SMTP relay {relay}: {}", smtp_summary(error))]
    Smtp {
        relay: String,
        error: lettre::transport::smtp::Error,
    },

    /// Writing a mail to the outbox failed.
    #[error("cannot write to the outbox {path}")]
    OutboxWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Reading the outbox directory failed.
    #[error("cannot read the outbox {path}")]
    OutboxRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A template failed to render.
    #[error("cannot render the mail template {template}")]
    Template {
        template: &'static str,
        #[source]
        source: askama::Error,
    },
}

impl MailError {
    /// A failure worth retrying later: a 4xx reply, a timeout, a dropped connection or a
    /// refused TCP connection. Outbox failures count as transient too (a full disk clears).
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::Smtp { error, .. } => !error.is_permanent(),
            MailError::OutboxWrite { .. } => true,
            _ => false,
        }
    }

    /// The relay refused this message for good (a 5xx reply): a hard bounce for the address.
    pub fn is_permanent(&self) -> bool {
        match self {
            MailError::Smtp { error, .. } => error.is_permanent(),
            _ => false,
        }
    }

    /// The relay's own error, reply text included (it may quote an address: do not log it).
    pub fn relay_error(&self) -> Option<&lettre::transport::smtp::Error> {
        match self {
            MailError::Smtp { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The SMTP reply code, when the relay answered with one.
    pub fn smtp_code(&self) -> Option<u16> {
        match self {
            MailError::Smtp { error, .. } => error.status().map(code_number),
            _ => None,
        }
    }
}

fn code_number(code: lettre::transport::smtp::response::Code) -> u16 {
    // Code's Display is the three digits.
    code.to_string().parse().unwrap_or(0)
}

/// A refusal shows its kind and reply code only (the relay's text may quote the recipient's
/// address); other failures show lettre's message and its causes.
fn smtp_summary(e: &lettre::transport::smtp::Error) -> String {
    if e.is_permanent() || e.is_transient() || e.is_response() {
        let kind = if e.is_permanent() {
            "refused the message (permanent)"
        } else {
            "refused the message (temporary)"
        };
        return match e.status() {
            Some(code) => format!("{kind}, reply {code}"),
            None => kind.to_owned(),
        };
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
