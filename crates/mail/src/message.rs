//! One outgoing mail: the caller's [`OutgoingMail`] becomes RFC 5322 bytes with `From`, `To`,
//! `Subject` (RFC 2047-encoded when not ASCII), `Date`, a `Message-ID` at the sender's domain,
//! the caller's extra headers (`List-Unsubscribe`…), a text part or text + HTML as
//! multipart/alternative, and a DKIM signature when configured.
//!
//! Pure apart from the clock and a random number; never sends and never logs.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

use lettre::Address;
use lettre::address::Envelope;
use lettre::message::dkim::DkimConfig;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::{MailAddress, MailError};

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: MailAddress,
    pub subject: String,
    /// The plain-text part; it must read well on its own.
    pub text: String,
    /// The HTML part: with it the mail is multipart/alternative (text first, then HTML).
    pub html: Option<String>,
    /// Extra headers, e.g. `List-Unsubscribe: <https://…>` and
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). Values are encoded as
    /// needed; a line break in a value, or a header the mailer sets itself (`From`, `To`,
    /// `Subject`, `Date`, `Message-ID`, MIME headers, `DKIM-Signature`…), is an error.
    pub headers: Vec<(String, String)>,
    /// The left part of the `Message-ID`, e.g. `digest-42-7311` for one delivery, so that a
    /// retried delivery carries the same `Message-ID` and receivers can drop the duplicate.
    /// Characters other than letters, digits, `-`, `_`, `+` and `=` become `-`. `None`: a
    /// unique id.
    pub message_id_hint: Option<String>,
}

/// A mail built and signed, ready to hand to a transport or to print.
#[derive(Debug, Clone)]
pub struct ComposedMail {
    /// The `Message-ID` header's value, with its angle brackets.
    pub message_id: String,
    /// The whole message, CRLF line endings.
    pub bytes: Vec<u8>,
    pub(crate) envelope: Envelope,
}

/// Headers the mailer writes itself; a caller's copy would make a second one.
const RESERVED_HEADERS: [&str; 13] = [
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "dkim-signature",
    "return-path",
];

pub(crate) fn mailbox(role: &'static str, address: &MailAddress) -> Result<Mailbox, MailError> {
    let email: Address = address
        .address
        .trim()
        .parse()
        .map_err(|source| MailError::Address { role, source })?;
    let name = address
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Ok(Mailbox::new(name, email))
}

pub(crate) fn compose(
    from: &Mailbox,
    dkim: Option<&DkimConfig>,
    mail: &OutgoingMail,
) -> Result<ComposedMail, MailError> {
    let to = mailbox("recipient", &mail.to)?;
    let message_id = message_id(mail.message_id_hint.as_deref(), from.email.domain());

    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .date_now()
        .message_id(Some(message_id.clone()));
    for (name, value) in &mail.headers {
        builder = builder.raw_header(extra_header(name, value)?);
    }
    let message = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(mail.text.clone())),
    };
    let mut message = message.map_err(|source| MailError::Build { source })?;
    if let Some(config) = dkim {
        message.sign(config);
    }
    Ok(ComposedMail {
        message_id,
        bytes: message.formatted(),
        envelope: message.envelope().clone(),
    })
}

fn extra_header(name: &str, value: &str) -> Result<HeaderValue, MailError> {
    let fail = |reason: &str| MailError::Header {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if RESERVED_HEADERS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name.trim()))
    {
        return Err(fail("the mailer sets this header itself"));
    }
    if value.contains(['\r', '\n']) {
        return Err(fail("a line break in the value"));
    }
    let header = HeaderName::new_from_ascii(name.trim().to_owned())
        .map_err(|_| fail("not a valid header name"))?;
    Ok(HeaderValue::new(header, value.trim().to_owned()))
}

/// `<left@domain>`: the hint cleaned up, or time + counter + random, unique across restarts
/// and nodes.
fn message_id(hint: Option<&str>, domain: &str) -> String {
    let cleaned = hint.map(|h| {
        h.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '=') {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
    });
    let left = match cleaned {
        Some(h) if !h.is_empty() => h,
        _ => unique_token(),
    };
    format!("<{left}@{domain}>")
}

fn unique_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let micros = jiff::Timestamp::now().as_microsecond();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // RandomState is seeded from the OS: enough to keep two nodes apart.
    let random = RandomState::new().hash_one((micros, count, std::process::id()));
    format!("{micros:x}.{count:x}.{random:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        mailbox(
            "sender",
            &MailAddress::new("Orlando Echo", "news@echo.example"),
        )
        .unwrap()
    }

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to: MailAddress::new("Zoë Ångström", "zoe@example.org"),
            subject: "Café’s “news”".to_owned(),
            text: "Hello".to_owned(),
            html: None,
            headers: vec![],
            message_id_hint: None,
        }
    }

    #[test]
    fn message_ids_are_unique_and_at_the_sender_domain() {
        let a = compose(&from(), None, &mail()).unwrap().message_id;
        let b = compose(&from(), None, &mail()).unwrap().message_id;
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@echo.example>"), "{a}");
    }

    #[test]
    fn a_hint_makes_the_message_id_stable() {
        let mut m = mail();
        m.message_id_hint = Some("digest 42/7311".to_owned());
        let c = compose(&from(), None, &m).unwrap();
        assert_eq!(c.message_id, "<digest-42-7311@echo.example>");
        let text = String::from_utf8(c.bytes).unwrap();
        assert!(
            text.contains("Message-ID: <digest-42-7311@echo.example>\r\n"),
            "{text}"
        );
    }

    #[test]
    fn reserved_headers_and_line_breaks_are_refused() {
        let mut m = mail();
        m.headers = vec![("message-id".to_owned(), "<x@y>".to_owned())];
        let e = compose(&from(), None, &m).unwrap_err().to_string();
        assert!(e.contains("sets this header itself"), "{e}");
        m.headers = vec![("X-Test".to_owned(), "a\r\nBcc: evil@example.com".to_owned())];
        let e = compose(&from(), None, &m).unwrap_err().to_string();
        assert!(e.contains("line break"), "{e}");
        m.headers = vec![("Bad Name".to_owned(), "v".to_owned())];
        assert!(compose(&from(), None, &m).is_err());
    }

    #[test]
    fn bad_addresses_are_refused_without_echoing_them() {
        let mut m = mail();
        m.to.address = "not-an-address".to_owned();
        let e = compose(&from(), None, &m).unwrap_err().to_string();
        assert_eq!(e, "invalid recipient email address");
    }
}
