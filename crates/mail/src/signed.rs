//! Signed links in mail: an unsubscribe or preferences link carries an HMAC of its purpose and
//! the subscriber's id under the network's secret, so following it needs no login, cookie or
//! stored token, and nobody can make one for an id that is not theirs.
//!
//! Input: the secret, a purpose label, an id. Output: a hex token, or whether a token is right.

use hmac::{KeyInit, Mac};

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

fn mac(secret: &[u8], purpose: &str, id: i64) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(&id.to_be_bytes());
    Some(mac)
}

/// The token for (`purpose`, `id`): 32 hex characters (128 bits of the HMAC-SHA256).
pub fn sign(secret: &[u8], purpose: &str, id: i64) -> String {
    let Some(mac) = mac(secret, purpose, id) else {
        return String::new();
    };
    let bytes = mac.finalize().into_bytes();
    hex::encode(bytes.get(..16).unwrap_or_default())
}

/// Whether `token` is the token for (`purpose`, `id`); compared in constant time.
pub fn verify(secret: &[u8], purpose: &str, id: i64, token: &str) -> bool {
    let (Some(mac), Ok(given)) = (mac(secret, purpose, id), hex::decode(token.trim())) else {
        return false;
    };
    given.len() == 16 && mac.verify_truncated_left(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_purpose_id_and_secret() {
        let t = sign(b"secret-one", "unsubscribe", 42);
        assert_eq!(t.len(), 32);
        assert!(verify(b"secret-one", "unsubscribe", 42, &t));
        assert!(!verify(b"secret-one", "unsubscribe", 43, &t));
        assert!(!verify(b"secret-one", "preferences", 42, &t));
        assert!(!verify(b"secret-two", "unsubscribe", 42, &t));
        assert!(!verify(b"secret-one", "unsubscribe", 42, "zz"));
        assert!(!verify(b"secret-one", "unsubscribe", 42, ""));
    }
}
