//! Similarity sketches over word shingles: SimHash and MinHash, written out here.
//!
//! Input: a headline and a plain-text body (paragraphs separated by newlines). Output: a
//! [`Sketch`] of a fixed size whose MinHash slots estimate the Jaccard similarity of two
//! stories' word-shingle sets, and a 64-bit SimHash. It never stores or returns the text.
//!
//! Tokens are NFKC, lower-case, letters and digits only (apostrophes inside a word are dropped
//! so `Ukraine’s` = `Ukraine's` = `Ukraines`; `1,200` = `1200`). Shingles are
//! [`SHINGLE_WORDS`] consecutive words *within a sentence*, so reordered sentences keep their
//! shingles. Lines that look like boilerplate (newsletter prompts, copyright, "read more") are
//! skipped, so a re-post with a new header and footer keeps its similarity. Every hash here is
//! written out (FNV-1a, a fixed multiply-shift family), so a stored sketch stays comparable
//! across Rust versions and platforms.

use unicode_normalization::UnicodeNormalization;

/// Words per shingle. On `testdata/pairs.jsonl` (highest different pair / lowest duplicate /
/// duplicates under 0.5): two words 0.38 / 0.40 / 1, three 0.32 / 0.37 / 8, four 0.25 / 0.27
/// / 10, five 0.23 / 0.30 / 19. Two words lift templated stories (two earnings reports)
/// towards the threshold; three keeps them furthest below it for few lost rewrites.
pub const SHINGLE_WORDS: usize = 3;

/// MinHash slots: the estimate's standard error is about `sqrt(J(1-J)/128)` ≤ 0.045.
pub const MINHASH_SLOTS: usize = 128;

/// Default near-duplicate threshold on estimated Jaccard, chosen from the labelled set's
/// sweep (`masthead eval dedup --pairs crates/dedup/testdata/pairs.jsonl`): 0.35 is the
/// lowest point with no error on that set, but the worst different pair scores 0.32 and the
/// estimate's own error is about ±0.045 (another hash family put the same pair at 0.39), so
/// 0.50 keeps a margin of four standard errors for four points of recall (precision 1.000,
/// recall 0.959). Merging two stories hides one; missing a rewrite shows it twice.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Bytes of [`Sketch::to_bytes`]: SimHash, shingle count, then the MinHash slots.
const SKETCH_BYTES: usize = 8 + 4 + 4 * MINHASH_SLOTS;

/// Phrases that mark a line as boilerplate when the line is short.
const BOILERPLATE: &[&str] = &[
    "subscribe",
    "newsletter",
    "sign up",
    "all rights reserved",
    "copyright",
    "©",
    "click here",
    "follow us",
    "read more",
    "related:",
    "see also",
    "share this",
    "advertisement",
    "originally published",
    "originally appeared",
    "download our app",
    "terms of use",
    "privacy policy",
    "cookies",
    "republished with permission",
    "distributed by",
    "story continues below",
    "more stories",
    "send us a tip",
    "follow the latest",
    "get the latest",
];

/// Boilerplate is only recognized on lines of at most this many words: a long paragraph that
/// mentions a newsletter is news.
const BOILERPLATE_MAX_WORDS: usize = 40;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

const fn splitmix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Multiply-shift hash family `(a·x + b) >> 32`, `a` odd: fixed constants so a stored sketch
/// never changes meaning.
#[expect(
    clippy::indexing_slicing,
    reason = "const fn (no get_mut); i < MINHASH_SLOTS by the loop condition, checked at compile time"
)]
const fn family() -> [(u64, u64); MINHASH_SLOTS] {
    let mut out = [(0u64, 0u64); MINHASH_SLOTS];
    let mut i = 0;
    let mut state = 0x6d61_7374_6865_6164; // "masthead"
    while i < MINHASH_SLOTS {
        state = splitmix(state);
        let a = state | 1;
        state = splitmix(state);
        out[i] = (a, state);
        i += 1;
    }
    out
}

const FAMILY: [(u64, u64); MINHASH_SLOTS] = family();

/// Murmur3's 64-bit finalizer: spreads FNV's weak low bits before the multiply-shift family.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// A fixed-size summary of one story's words.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sketch {
    simhash: u64,
    /// Distinct shingles seen; 0 means the story had no words, and matches nothing.
    shingles: u32,
    minhash: [u32; MINHASH_SLOTS],
}

impl Sketch {
    /// The 64-bit SimHash of the shingles: near-identical copies differ in a few bits.
    pub fn simhash(&self) -> u64 {
        self.simhash
    }

    /// Number of distinct shingles the story had (saturating at `u32::MAX`).
    pub fn shingles(&self) -> u32 {
        self.shingles
    }

    /// The MinHash slots.
    pub fn minhash(&self) -> &[u32; MINHASH_SLOTS] {
        &self.minhash
    }

    /// True when the story had no words to compare.
    pub fn is_empty(&self) -> bool {
        self.shingles == 0
    }

    /// Bits in which two SimHashes differ (0 = same shingle profile).
    pub fn hamming(&self, other: &Sketch) -> u32 {
        (self.simhash ^ other.simhash).count_ones()
    }

    /// A stable little-endian encoding for the store (524 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SKETCH_BYTES);
        out.extend_from_slice(&self.simhash.to_le_bytes());
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for m in &self.minhash {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    /// Reads [`Sketch::to_bytes`] back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, crate::DedupError> {
        let err = || crate::DedupError::SketchBytes {
            len: bytes.len(),
            expected: SKETCH_BYTES,
        };
        if bytes.len() != SKETCH_BYTES {
            return Err(err());
        }
        let (sim, rest) = bytes.split_first_chunk::<8>().ok_or_else(err)?;
        let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(err)?;
        let mut minhash = [u32::MAX; MINHASH_SLOTS];
        for (slot, chunk) in minhash.iter_mut().zip(rest.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(chunk);
            *slot = u32::from_le_bytes(b);
        }
        Ok(Sketch {
            simhash: u64::from_le_bytes(*sim),
            shingles: u32::from_le_bytes(*len),
            minhash,
        })
    }
}

fn is_boilerplate(line: &str) -> bool {
    if line.split_whitespace().nth(BOILERPLATE_MAX_WORDS).is_some() {
        return false;
    }
    let lower = line.to_lowercase();
    BOILERPLATE.iter().any(|p| lower.contains(p))
}

/// What the tokenizer reports: a token (normalized, lower-case) or the end of a sentence.
enum Piece<'a> {
    Token(&'a str),
    SentenceEnd,
}

/// Tokenizes one line, calling `out` for each token and sentence end. ASCII lines skip NFKC,
/// which leaves them unchanged anyway.
fn tokenize(line: &str, out: impl FnMut(Piece<'_>)) {
    if line.is_ascii() {
        tokenize_chars(line.chars(), out);
    } else {
        tokenize_chars(line.nfkc(), out);
    }
}

fn tokenize_chars(chars: impl Iterator<Item = char>, mut out: impl FnMut(Piece<'_>)) {
    let mut word = String::new();
    let mut chars = chars.peekable();
    let mut prev = ' ';
    let mut open = false;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        if c.is_alphanumeric() {
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        } else if matches!(c, '\'' | '’' | 'ʼ') && prev.is_alphanumeric() && next.is_alphanumeric()
        {
            // Inside a word: dropped, so the three apostrophes agree.
        } else if matches!(c, ',' | '.') && prev.is_ascii_digit() && next.is_ascii_digit() {
            // `1,200` and `3.5`: one number.
        } else {
            if !word.is_empty() {
                out(Piece::Token(&word));
                word.clear();
                open = true;
            }
            let ends_sentence = matches!(c, '.' | '!' | '?' | ';' | '…')
                && (next.is_whitespace() || matches!(next, '"' | '”' | '’' | '\'' | ')'));
            if ends_sentence && open {
                out(Piece::SentenceEnd);
                open = false;
            }
        }
        prev = c;
    }
    if !word.is_empty() {
        out(Piece::Token(&word));
        open = true;
    }
    if open {
        out(Piece::SentenceEnd);
    }
}

fn token_hash(word: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in word.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Order-sensitive combination of a shingle's token hashes, then mixed.
fn shingle_hash(tokens: &[u64]) -> u64 {
    let h = tokens.iter().fold(FNV_OFFSET, |h, &t| {
        (h ^ t).wrapping_mul(FNV_PRIME).rotate_left(29)
    });
    fmix64(h)
}

/// Distinct shingle hashes of a story, sorted.
fn shingle_set(headline: &str, text: &str) -> Vec<u64> {
    let mut set = Vec::new();
    let mut sentence: Vec<u64> = Vec::new();
    let lines = std::iter::once(headline).chain(text.lines());
    for line in lines {
        let line = line.trim();
        if line.is_empty() || is_boilerplate(line) {
            continue;
        }
        tokenize(line, |piece| match piece {
            Piece::Token(w) => sentence.push(token_hash(w)),
            Piece::SentenceEnd => {
                if sentence.len() <= SHINGLE_WORDS {
                    set.push(shingle_hash(&sentence));
                } else {
                    set.extend(sentence.windows(SHINGLE_WORDS).map(shingle_hash));
                }
                sentence.clear();
            }
        });
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// Sketches a story: headline and plain text, paragraphs separated by newlines.
///
/// Case, Unicode form, punctuation, apostrophe style, sentence order and boilerplate lines do
/// not change the result; words and numbers do.
pub fn sketch(headline: &str, text: &str) -> Sketch {
    let set = shingle_set(headline, text);
    let mut minhash = [u32::MAX; MINHASH_SLOTS];
    let mut bits = [0i32; 64];
    for &x in &set {
        for (slot, &(a, b)) in minhash.iter_mut().zip(FAMILY.iter()) {
            // The high 32 bits of a·x + b: multiply-shift, universal for 64-bit keys.
            let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            *slot = (*slot).min(h);
        }
        for (j, bit) in bits.iter_mut().enumerate() {
            if (x >> j) & 1 == 1 {
                *bit += 1;
            } else {
                *bit -= 1;
            }
        }
    }
    let simhash = bits
        .iter()
        .enumerate()
        .filter(|(_, b)| **b > 0)
        .fold(0u64, |acc, (j, _)| acc | (1 << j));
    Sketch {
        simhash,
        shingles: u32::try_from(set.len()).unwrap_or(u32::MAX),
        minhash,
    }
}

/// Estimated Jaccard similarity of the two stories' shingle sets, in `[0, 1]`.
///
/// A story without words is similar to nothing (0.0), not even to another empty one: with no
/// text there is nothing to call a duplicate, and identity keys handle exact copies.
pub fn similarity(a: &Sketch, b: &Sketch) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let equal = a
        .minhash
        .iter()
        .zip(b.minhash.iter())
        .filter(|(x, y)| x == y)
        .count();
    equal as f64 / MINHASH_SLOTS as f64
}

/// True when the estimated Jaccard similarity reaches `threshold`.
pub fn is_near_duplicate(a: &Sketch, b: &Sketch, threshold: f64) -> bool {
    similarity(a, b) >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "KYIV, Ukraine: Talks between Ukraine and the United States over a \
        critical minerals agreement resumed on Monday after a two-week pause, officials said.\n\
        The deal would give American companies access to deposits of lithium and titanium. \
        Ukraine’s economy minister said 1,200 pages of documents had been reviewed.\n\
        A final text is expected by the end of the month, according to two people involved.";

    fn words(s: &str) -> Vec<Vec<String>> {
        let mut out = vec![Vec::new()];
        tokenize(s, |p| match p {
            Piece::Token(w) => out.last_mut().unwrap().push(w.to_owned()),
            Piece::SentenceEnd => out.push(Vec::new()),
        });
        out.pop();
        out
    }

    #[test]
    fn tokens_are_normalized() {
        assert_eq!(
            words("Ukraine’s ＦＵＬＬＷＩＤＴＨ 1,200 3.5% (AP) — Ok. Next"),
            vec![
                vec!["ukraines", "fullwidth", "1200", "35", "ap", "ok"],
                vec!["next"]
            ]
        );
        assert_eq!(words("Ukraine's"), words("UKRAINE’S"));
        assert_eq!(words("Café"), words("Cafe\u{301}"));
    }

    #[test]
    fn identical_text_is_similarity_one() {
        let a = sketch("Minerals talks resume", STORY);
        assert_eq!(similarity(&a, &a.clone()), 1.0);
        assert_eq!(a.hamming(&a), 0);
        assert!(a.shingles() > 40);
    }

    #[test]
    fn formatting_does_not_matter() {
        let a = sketch("Minerals talks resume", STORY);
        let shouty = STORY.to_uppercase().replace('’', "'").replace(", ", " , ");
        let b = sketch("MINERALS TALKS RESUME", &format!("\n\n{shouty}\n\n"));
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn sentence_order_does_not_matter() {
        let a = sketch("", "One two three four. Five six seven eight.");
        let b = sketch("", "Five six seven eight. One two three four.");
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn boilerplate_lines_are_ignored() {
        let a = sketch("Minerals talks resume", STORY);
        let b = sketch(
            "Minerals talks resume",
            &format!(
                "Subscribe to the Orlando Echo daily newsletter.\n{STORY}\n\
                 © 2025 Big News Network. All rights reserved.\nRead more: world news"
            ),
        );
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn a_changed_number_stays_close() {
        let a = sketch("Minerals talks resume", STORY);
        let b = sketch("Minerals talks resume", &STORY.replace("1,200", "1,400"));
        assert!(similarity(&a, &b) > 0.8, "{}", similarity(&a, &b));
        assert!(a.hamming(&b) < 16);
    }

    #[test]
    fn different_story_same_dateline_is_far() {
        let a = sketch("Minerals talks resume", STORY);
        let b = sketch(
            "Power cuts",
            "KYIV, Ukraine: Rolling power cuts returned to the capital on Tuesday after drone \
             strikes damaged two substations overnight, the grid operator said. Residents were \
             told to expect outages of up to six hours.",
        );
        assert!(similarity(&a, &b) < 0.1, "{}", similarity(&a, &b));
    }

    #[test]
    fn empty_matches_nothing() {
        let e = sketch("", "");
        assert!(e.is_empty());
        assert_eq!(similarity(&e, &e), 0.0);
        assert!(!is_near_duplicate(&e, &e, 0.0001));
        let p = sketch("", "... — !!! ???");
        assert!(p.is_empty());
    }

    #[test]
    fn bytes_round_trip() {
        let a = sketch("Minerals talks resume", STORY);
        let bytes = a.to_bytes();
        assert_eq!(bytes.len(), SKETCH_BYTES);
        assert_eq!(Sketch::from_bytes(&bytes).ok(), Some(a));
        assert!(Sketch::from_bytes(&bytes[1..]).is_err());
        assert!(Sketch::from_bytes(&[]).is_err());
    }

    #[test]
    fn stable_across_versions() {
        // Stored sketches must keep their meaning: pin a few values.
        let a = sketch("Minerals talks resume", STORY);
        assert_eq!(a.shingles(), 57);
        assert_eq!(a.simhash(), 0x0666_2d6b_e3ba_764b);
        assert_eq!(a.minhash()[0], 0x0247_9411);
        assert_eq!(a.minhash()[127], 0x0f8b_b3a7);
        assert_eq!(a.to_bytes().len(), 524);
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "\u{0}",
            "'",
            "’’’",
            "1,",
            ",1",
            "a.b",
            "\u{FFFD}\u{200B}",
            "ß\u{301}",
            "…",
        ] {
            let _ = sketch(s, s);
        }
    }
}
