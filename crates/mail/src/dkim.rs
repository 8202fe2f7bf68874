//! DKIM keys: reads the private key file named in [`DkimSettings`] once, at start-up, and turns
//! it into lettre's signing configuration.
//!
//! Accepts RSA keys (PKCS#1 or PKCS#8 PEM) and Ed25519 keys (PKCS#8 PEM). Errors name the file
//! and the problem, never the key's bytes; nothing here logs.

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;

use crate::{DkimSettings, MailError};

/// The headers the signature covers. A header in the list that a mail does not carry is signed
/// as absent (RFC 6376 §5.4), so nobody can add it on the way. RFC 8058 requires
/// `List-Unsubscribe` and `List-Unsubscribe-Post` to be covered.
const SIGNED_HEADERS: [&str; 10] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
];

/// The DER prefix of an Ed25519 PKCS#8 private key (RFC 8410 §7): the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Reads and checks the key; the result signs every mail.
pub(crate) fn load(settings: &DkimSettings) -> Result<DkimConfig, MailError> {
    let path = &settings.private_key_pem_path;
    let fail = |reason: String| MailError::DkimKey {
        path: path.clone(),
        reason,
    };
    check_tag("selector", &settings.selector).map_err(&fail)?;
    check_tag("domain", &settings.domain).map_err(&fail)?;

    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let key = signing_key(text.trim()).map_err(fail)?;
    Ok(DkimConfig::new(
        settings.selector.clone(),
        settings.domain.clone(),
        key,
        SIGNED_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect(),
        // Relaxed headers survive relays that refold long headers.
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    ))
}

fn check_tag(what: &str, value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the {what} must be letters, digits, dots, hyphens or underscores, got {value:?}"
        ))
    }
}

fn signing_key(pem: &str) -> Result<DkimSigningKey, String> {
    const WANTED: &str = "expected an RSA key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY) or an \
                          Ed25519 key (BEGIN PRIVATE KEY, `openssl genpkey -algorithm ed25519`)";
    let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes())
        .map_err(|e| format!("not a PEM private key ({e}); {WANTED}"))?;
    match label {
        "RSA PRIVATE KEY" => DkimSigningKey::new(pem, DkimSigningAlgorithm::Rsa)
            .map_err(|e| format!("not a valid RSA private key ({e})")),
        "PRIVATE KEY" => {
            if let Some(seed) = der.strip_prefix(ED25519_PKCS8_PREFIX.as_slice()) {
                if seed.len() != 32 {
                    return Err("an Ed25519 key with a seed that is not 32 bytes".to_owned());
                }
                let seed = <base64ct::Base64 as base64ct::Encoding>::encode_string(seed);
                DkimSigningKey::new(&seed, DkimSigningAlgorithm::Ed25519)
                    .map_err(|e| format!("not a valid Ed25519 private key ({e})"))
            } else {
                use rsa::pkcs1::EncodeRsaPrivateKey;
                use rsa::pkcs8::DecodePrivateKey;
                let key = rsa::RsaPrivateKey::from_pkcs8_der(&der)
                    .map_err(|e| format!("a PKCS#8 key that is neither Ed25519 nor RSA ({e})"))?;
                let pkcs1 = key
                    .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
                    .map_err(|e| format!("cannot convert the RSA key ({e})"))?;
                DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa)
                    .map_err(|e| format!("not a valid RSA private key ({e})"))
            }
        }
        "ENCRYPTED PRIVATE KEY" => Err("the key is encrypted; store it without a passphrase \
                                        (and readable by masthead only)"
            .to_owned()),
        other => Err(format!("unsupported key type `{other}`; {WANTED}")),
    }
}
