//! Mail settings: who mail is from, where it goes (an SMTP relay or the disk outbox), DKIM and
//! the sending rate; and `parse_smtp_url`, which turns `MASTHEAD_SMTP_URL` into typed SMTP
//! settings.
//!
//! Input: strings from the configuration. Output: validated values. Never connects anywhere and
//! never logs: the URL holds a password.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use crate::MailError;

/// Default SMTP command timeout.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of pooled SMTP connections.
pub const DEFAULT_POOL_SIZE: u32 = 4;

/// Everything the [`Mailer`](crate::Mailer) needs.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The `From` of every mail, also the envelope sender (bounces go there). Its domain is
    /// the right-hand side of every `Message-ID`.
    pub from: MailAddress,
    /// An SMTP relay, or the disk outbox when none is configured.
    pub transport: Transport,
    /// Sign every mail with DKIM when set.
    pub dkim: Option<DkimSettings>,
    /// At most this many mails a second, spread evenly (no bursts); unlimited when `None`.
    pub rate_per_second: Option<f64>,
    /// Pooled SMTP connections at most (ignored by the outbox). At least 1.
    pub pool_size: u32,
}

/// A mailbox: an optional display name (any Unicode: it is RFC 2047-encoded) and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAddress {
    pub name: Option<String>,
    pub address: String,
}

impl MailAddress {
    /// A mailbox with a display name.
    pub fn new(name: impl Into<String>, address: impl Into<String>) -> Self {
        MailAddress {
            name: Some(name.into()),
            address: address.into(),
        }
    }

    /// A bare address.
    pub fn bare(address: impl Into<String>) -> Self {
        MailAddress {
            name: None,
            address: address.into(),
        }
    }
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP relay (`MASTHEAD_SMTP_URL`).
    Smtp(SmtpSettings),
    /// A directory of `.eml` files, one per mail: the default with no relay, so the demo
    /// works end to end.
    Outbox(PathBuf),
}

/// DKIM signing: the DNS selector, the signing domain (`d=`, normally the `From` domain) and a
/// private key file. The key is an RSA key (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8
/// `BEGIN PRIVATE KEY`, signed rsa-sha256) or an Ed25519 key (PKCS#8, as
/// `openssl genpkey -algorithm ed25519` writes it, signed ed25519-sha256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimSettings {
    pub selector: String,
    pub domain: String,
    pub private_key_pem_path: PathBuf,
}

/// An SMTP relay.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// AUTH credentials, from the URL's user info (percent-decoded).
    pub credentials: Option<SmtpCredentials>,
    /// Per-command timeout.
    pub timeout: Duration,
}

impl SmtpSettings {
    /// `host:port`, for messages and logs (never the credentials).
    pub fn relay(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// SMTP AUTH credentials. `Debug` shows no password.
#[derive(Debug, Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: SecretString,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text: for a relay on the same host or a trusted network (`smtp://host:25`,
    /// `?tls=none`).
    None,
    /// STARTTLS, required: the mail (and the password) never go out if the relay does not
    /// offer it (`?tls=starttls`, or lettre's spelling `?tls=required`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Parses an SMTP relay URL:
///
/// - `smtp://host:25`: plain text (default port 25);
/// - `smtp://user:pass@host:587?tls=starttls`: STARTTLS, required (default port 587);
///   `tls=required` means the same (lettre's spelling), `tls=none` plain text;
/// - `smtps://user:pass@host:465`: implicit TLS (default port 465).
///
/// User and password are percent-decoded (`p%40ss` is `p@ss`). Anything else (another scheme,
/// another `tls` value or query parameter, a path, a user without a password) is an error
/// naming the problem; the URL in the error has its password masked.
pub fn parse_smtp_url(url: &str) -> Result<SmtpSettings, MailError> {
    let parsed = Url::parse(url.trim()).map_err(|e| MailError::SmtpUrl {
        // Unparsable: the password cannot be located reliably, so show nothing of the URL.
        url: "(unparsable)".to_owned(),
        reason: e.to_string(),
    })?;
    let shown = redact(&parsed);
    let fail = |reason: String| MailError::SmtpUrl {
        url: shown.clone(),
        reason,
    };

    let implicit = match parsed.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(fail(format!(
                "unknown scheme `{other}`: use smtp:// (plain or STARTTLS) or smtps:// (implicit TLS)"
            )));
        }
    };

    let mut tls_param: Option<String> = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "tls" if tls_param.is_none() => tls_param = Some(value.into_owned()),
            "tls" => return Err(fail("`tls` is given twice".to_owned())),
            other => {
                return Err(fail(format!(
                    "unknown parameter `{other}`: only `tls=none|starttls|required` is understood"
                )));
            }
        }
    }

    let tls = match (implicit, tls_param.as_deref()) {
        (true, None | Some("required")) => TlsMode::Implicit,
        (true, Some(other)) => {
            return Err(fail(format!(
                "`tls={other}` contradicts smtps:// (implicit TLS); use smtp:// for plain or STARTTLS"
            )));
        }
        (false, None | Some("none")) => TlsMode::None,
        (false, Some("starttls" | "required")) => TlsMode::StartTls,
        (false, Some(other)) => {
            return Err(fail(format!(
                "unknown `tls={other}`: use none, starttls or required"
            )));
        }
    };

    let host = match parsed.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(fail("no host".to_owned())),
    };
    let port = parsed.port().unwrap_or(match tls {
        TlsMode::None => 25,
        TlsMode::StartTls => 587,
        TlsMode::Implicit => 465,
    });
    if !matches!(parsed.path(), "" | "/") {
        return Err(fail("a path is not expected".to_owned()));
    }
    if parsed.fragment().is_some() {
        return Err(fail("a fragment is not expected".to_owned()));
    }

    let credentials = match (parsed.username(), parsed.password()) {
        ("", None) => None,
        ("", Some(_)) => return Err(fail("a password without a user name".to_owned())),
        (_, None) => return Err(fail("a user name without a password".to_owned())),
        (user, Some(pass)) => {
            let username = decode(user).map_err(|()| fail("the user name is not UTF-8".into()))?;
            let password = decode(pass).map_err(|()| fail("the password is not UTF-8".into()))?;
            Some(SmtpCredentials {
                username,
                password: SecretString::from(password),
            })
        }
    };

    Ok(SmtpSettings {
        host,
        port,
        tls,
        credentials,
        timeout: DEFAULT_SMTP_TIMEOUT,
    })
}

fn decode(s: &str) -> Result<String, ()> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| ())
}

fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        // Fails only for URLs that cannot have credentials, which then have no password.
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn plain_relay_on_port_25() {
        let s = parse_smtp_url("smtp://relay.internal:25").unwrap();
        assert_eq!(s.host, "relay.internal");
        assert_eq!(s.port, 25);
        assert_eq!(s.tls, TlsMode::None);
        assert!(s.credentials.is_none());
        assert_eq!(parse_smtp_url("smtp://localhost").unwrap().port, 25);
    }

    #[test]
    fn starttls_with_credentials() {
        let s = parse_smtp_url("smtp://user:pass@mail.example.com:587?tls=starttls").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("mail.example.com", 587));
        assert_eq!(s.tls, TlsMode::StartTls);
        let c = s.credentials.unwrap();
        assert_eq!(c.username, "user");
        assert_eq!(c.password.expose_secret(), "pass");
        // lettre's spelling, and the submission port by default.
        let s = parse_smtp_url("smtp://u:p@mail.example.com?tls=required").unwrap();
        assert_eq!((s.tls, s.port), (TlsMode::StartTls, 587));
        let s = parse_smtp_url("smtp://mail.example.com:2525?tls=none").unwrap();
        assert_eq!((s.tls, s.port), (TlsMode::None, 2525));
    }

    #[test]
    fn smtps_is_implicit_tls_on_465() {
        let s = parse_smtp_url("smtps://user:pass@mail.example.com").unwrap();
        assert_eq!((s.tls, s.port), (TlsMode::Implicit, 465));
        let s = parse_smtp_url("smtps://user:pass@mail.example.com:2465?tls=required").unwrap();
        assert_eq!((s.tls, s.port), (TlsMode::Implicit, 2465));
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let s = parse_smtp_url("smtps://news%40example.com:p%40ss%3Aw%2Frd%20%C3%A9@mx.example")
            .unwrap();
        let c = s.credentials.unwrap();
        assert_eq!(c.username, "news@example.com");
        assert_eq!(c.password.expose_secret(), "p@ss:w/rd é");
    }

    #[test]
    fn ip_hosts() {
        let s = parse_smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (s.host.as_str(), s.relay().as_str()),
            ("127.0.0.1", "127.0.0.1:2525")
        );
        let s = parse_smtp_url("smtp://[::1]:2525").unwrap();
        assert_eq!((s.host.as_str(), s.relay().as_str()), ("::1", "[::1]:2525"));
    }

    fn error_of(url: &str) -> String {
        parse_smtp_url(url).unwrap_err().to_string()
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let e = error_of("http://mail.example.com");
        assert!(e.contains("unknown scheme `http`"), "{e}");
        let e = error_of("smtp://mail.example.com?tls=maybe");
        assert!(e.contains("unknown `tls=maybe`"), "{e}");
        let e = error_of("smtps://mail.example.com?tls=starttls");
        assert!(e.contains("contradicts smtps://"), "{e}");
        let e = error_of("smtps://mail.example.com?tls=none");
        assert!(e.contains("contradicts smtps://"), "{e}");
        let e = error_of("smtp://mail.example.com?pool=3");
        assert!(e.contains("unknown parameter `pool`"), "{e}");
        let e = error_of("smtp://mail.example.com?tls=none&tls=starttls");
        assert!(e.contains("twice"), "{e}");
        let e = error_of("smtp://user@mail.example.com");
        assert!(e.contains("without a password"), "{e}");
        let e = error_of("smtp://mail.example.com/helo");
        assert!(e.contains("path"), "{e}");
        let e = error_of("mail.example.com:25");
        assert!(e.contains("invalid SMTP URL"), "{e}");
        let e = error_of("smtp://");
        assert!(e.contains("invalid SMTP URL"), "{e}");
    }

    #[test]
    fn errors_never_show_the_password() {
        let e = error_of("smtp://user:hunter2@mail.example.com?tls=bogus");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("user:***@mail.example.com"), "{e}");
        let e = error_of("smtp://user:hunter2@mail.example.com:99999");
        assert!(!e.contains("hunter2"), "{e}");
        let s = parse_smtp_url("smtp://user:hunter2@mail.example.com").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
