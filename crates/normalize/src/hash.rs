//! Content hashes that tell a story's update from a re-delivery.
//!
//! Input: a headline and the body as plain text. Output: 16 lower-case hex digits. The hash
//! is stored, so it must never change across Rust versions or platforms: it is FNV-1a 64
//! written out here, never `DefaultHasher`. It is not a security boundary.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// FNV-1a 64 of the headline, a separator byte and the text, as 16 hex digits.
///
/// The separator (0xFF, which never occurs in UTF-8) keeps ("ab", "c") and ("a", "bc") apart.
pub fn content_hash(headline: &str, text: &str) -> String {
    let h = fnv1a(FNV_OFFSET, headline.as_bytes());
    let h = fnv1a(h, &[0xFF]);
    let h = fnv1a(h, text.as_bytes());
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fnv_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stable_and_distinct() {
        let a = content_hash("Headline", "Body text");
        assert_eq!(a.len(), 16);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(a, content_hash("Headline", "Body text"));
        assert_ne!(a, content_hash("Headline", "Body text."));
        assert_ne!(content_hash("ab", "c"), content_hash("a", "bc"));
        // Pinned value: a change here would make every stored story look updated.
        assert_eq!(
            content_hash("", ""),
            format!("{:016x}", fnv1a(FNV_OFFSET, &[0xFF]))
        );
        assert_eq!(content_hash("Headline", "Body text"), "d257addb03f24319");
    }
}
