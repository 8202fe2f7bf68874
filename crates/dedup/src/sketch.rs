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
//!
//! A second signal, for a rewrite of the same event by a second agency (new sentences, the
//! same facts): a MinHash over the body's *distinctive features* — numbers (alone and with the
//! word that follows them, `1200 page`), capitalised name tokens that do not open a sentence
//! (`hrytsenko`, a possessive `'s` dropped; days, months and function words skipped), and
//! 3-word shingles of quoted spans. Two agencies telling one story share most of these while
//! their word shingles score 0.1–0.3; two stories on one topic share a few names but not the
//! numbers and quotes. The headline is left out of this set (headline case and wording vary).

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

/// Default threshold on the distinctive features' estimated Jaccard ([`name_similarity`]) for
/// the second signal; see [`crate::DedupSettings::is_duplicate`]. From the labelled set's
/// sweep at floor 0.10 (`masthead eval dedup`): 0.40–0.45 miss 3 of 260 duplicates but
/// merge 2 different pairs; 0.55 merges none but a same-topic pair (a match preview and its
/// report in one outlet's wrapper, shingles 0.20) sits at 0.547, inside the 64-slot
/// estimate's error (±0.06); 0.65 keeps that margin for 2 more missed rewrites.
pub const DEFAULT_NAME_THRESHOLD: f64 = 0.65;

/// Default floor on shingle similarity for the second signal: an agency rewrite still shares
/// some word shingles (names, quotes, figures with their words; 0.07–0.29 on the labelled
/// set, 0.15–0.26 on held-out rewrites), while follow-ups that share most names score
/// 0.00–0.08. 0.08 would gain 2 rewrites at a margin of one standard error.
pub const DEFAULT_NAME_FLOOR: f64 = 0.1;

/// MinHash slots over the distinctive features: standard error `sqrt(J(1-J)/64)` ≤ 0.0625.
pub const NAME_SLOTS: usize = 64;

/// Bytes of a version-1 sketch (no version byte): SimHash, shingle count, the MinHash slots.
/// Still read back, with an empty distinctive-feature signal.
const SKETCH_BYTES_V1: usize = 8 + 4 + 4 * MINHASH_SLOTS;

/// The version byte that opens a version-2 sketch.
const SKETCH_VERSION: u8 = 2;

/// Bytes of [`Sketch::to_bytes`] (version 2): the version byte, the version-1 fields, the
/// distinctive-feature count and its MinHash slots.
const SKETCH_BYTES: usize = 1 + SKETCH_BYTES_V1 + 4 + 4 * NAME_SLOTS;

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
    reason = "const fn (no get_mut); i < N by the loop condition, checked at compile time"
)]
const fn family<const N: usize>(seed: u64) -> [(u64, u64); N] {
    let mut out = [(0u64, 0u64); N];
    let mut i = 0;
    let mut state = seed;
    while i < N {
        state = splitmix(state);
        let a = state | 1;
        state = splitmix(state);
        out[i] = (a, state);
        i += 1;
    }
    out
}

const FAMILY: [(u64, u64); MINHASH_SLOTS] = family(0x6d61_7374_6865_6164); // "masthead"

/// The distinctive features' own family, so its slots never mirror the shingle slots.
const NAME_FAMILY: [(u64, u64); NAME_SLOTS] = family(0x6e61_6d65_7369_676e); // "namesign"

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
    /// Distinct distinctive features seen; 0 (also for a version-1 sketch) turns the second
    /// signal off for this story.
    names: u32,
    name_hash: [u32; NAME_SLOTS],
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

    /// Number of distinct distinctive features (numbers, names, quoted shingles).
    pub fn names(&self) -> u32 {
        self.names
    }

    /// The MinHash slots over the distinctive features.
    pub fn name_minhash(&self) -> &[u32; NAME_SLOTS] {
        &self.name_hash
    }

    /// True when the story had no words to compare.
    pub fn is_empty(&self) -> bool {
        self.shingles == 0
    }

    /// Bits in which two SimHashes differ (0 = same shingle profile).
    pub fn hamming(&self, other: &Sketch) -> u32 {
        (self.simhash ^ other.simhash).count_ones()
    }

    /// A stable little-endian encoding for the store (785 bytes): a version byte (2), the
    /// SimHash, the shingle count, the shingle MinHash, the distinctive-feature count and its
    /// MinHash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SKETCH_BYTES);
        out.push(SKETCH_VERSION);
        out.extend_from_slice(&self.simhash.to_le_bytes());
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for m in &self.minhash {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out.extend_from_slice(&self.names.to_le_bytes());
        for m in &self.name_hash {
            out.extend_from_slice(&m.to_le_bytes());
        }
        out
    }

    /// Reads [`Sketch::to_bytes`] back, and also the 524-byte version-1 encoding (no version
    /// byte, no distinctive features), which reads as a sketch whose second signal is off:
    /// stored version-1 sketches keep matching on shingles until their stories are
    /// re-sketched.
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, crate::DedupError> {
        let err = || crate::DedupError::SketchBytes {
            len: bytes.len(),
            expected: SKETCH_BYTES,
        };
        let (v1, names) = match bytes.len() {
            SKETCH_BYTES_V1 => (bytes, None),
            SKETCH_BYTES => match bytes.split_first() {
                Some((&SKETCH_VERSION, rest)) => {
                    let (v1, names) = rest.split_at_checked(SKETCH_BYTES_V1).ok_or_else(err)?;
                    (v1, Some(names))
                }
                _ => return Err(err()),
            },
            _ => return Err(err()),
        };
        let (sim, rest) = v1.split_first_chunk::<8>().ok_or_else(err)?;
        let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(err)?;
        let mut minhash = [u32::MAX; MINHASH_SLOTS];
        read_slots(&mut minhash, rest);
        let mut name_hash = [u32::MAX; NAME_SLOTS];
        let mut name_count = 0;
        if let Some(names) = names {
            let (count, rest) = names.split_first_chunk::<4>().ok_or_else(err)?;
            name_count = u32::from_le_bytes(*count);
            read_slots(&mut name_hash, rest);
        }
        Ok(Sketch {
            simhash: u64::from_le_bytes(*sim),
            shingles: u32::from_le_bytes(*len),
            minhash,
            names: name_count,
            name_hash,
        })
    }
}

fn read_slots(slots: &mut [u32], bytes: &[u8]) {
    for (slot, chunk) in slots.iter_mut().zip(bytes.chunks_exact(4)) {
        let mut b = [0u8; 4];
        b.copy_from_slice(chunk);
        *slot = u32::from_le_bytes(b);
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

/// Capitalised words that are not names: function words that open a clause after a colon or
/// a dash, days, months, agency tags and titles every story has.
const NOT_NAMES: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "but",
    "or",
    "in",
    "on",
    "at",
    "for",
    "of",
    "to",
    "by",
    "with",
    "from",
    "as",
    "after",
    "before",
    "if",
    "when",
    "while",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "our",
    "this",
    "that",
    "these",
    "those",
    "there",
    "no",
    "not",
    "mr",
    "ms",
    "mrs",
    "dr",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "ap",
    "reuters",
    "afp",
    "update",
    "president",
    "governor",
    "mayor",
    "minister",
    "secretary",
    "chief",
    "executive",
    "chair",
    "senator",
    "justice",
    "judge",
    "commissioner",
    "manager",
    "spokesman",
    "spokeswoman",
];

/// Credit lines ("By Maria Lopez, Associated Press", "(Reporting by …; Editing by …)") name
/// people who did not make the news: skipped by the distinctive-feature pass when short.
const CREDITS: &[&str] = &[
    "reporting by",
    "editing by",
    "writing by",
    "additional reporting",
    "contributed to this report",
    "wire reports",
    "staff reporter",
];

/// Credit lines are only recognized on lines of at most this many words.
const CREDIT_MAX_WORDS: usize = 16;

fn is_credit(line: &str) -> bool {
    if line.split_whitespace().nth(CREDIT_MAX_WORDS).is_some() {
        return false;
    }
    if line.starts_with("By ") && line.split_whitespace().nth(8).is_none() {
        return true;
    }
    let lower = line.to_lowercase();
    CREDITS.iter().any(|p| lower.contains(p))
}

/// Words after a number that are not its unit.
const NOT_UNITS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "from", "as",
    "is", "was", "were", "are", "has", "had", "have", "will", "would", "that", "which", "than",
    "after", "before", "it", "its", "he", "she", "they", "but",
];

/// One word of a body line for the distinctive-feature pass.
struct Raw {
    /// Lower-case, letters and digits only; a possessive `'s` dropped.
    word: String,
    /// Began with an upper-case letter.
    capital: bool,
    /// Digits only (`1,200` and `41.2` are one number).
    number: bool,
    /// First word of its sentence.
    opens: bool,
    sentence: u32,
    /// Which quoted span it sits in, if any.
    quote: Option<u32>,
}

fn raw_words(chars: impl Iterator<Item = char>, out: &mut Vec<Raw>) {
    let mut word = String::new();
    let mut capital = false;
    let mut number = true;
    let mut apostrophe: Option<usize> = None;
    let mut opens = true;
    let mut sentence = 0u32;
    let mut quote: Option<u32> = None;
    let mut quotes = 0u32;
    let mut chars = chars.peekable();
    let mut prev = ' ';
    let mut flush = |word: &mut String,
                     capital: bool,
                     number: bool,
                     apostrophe: &mut Option<usize>,
                     opens: &mut bool,
                     sentence: u32,
                     quote: Option<u32>| {
        if word.is_empty() {
            return;
        }
        if let Some(at) = apostrophe.take()
            && word.len() == at + 1
            && word.ends_with('s')
        {
            word.truncate(at);
        }
        out.push(Raw {
            word: std::mem::take(word),
            capital,
            number,
            opens: *opens,
            sentence,
            quote,
        });
        *opens = false;
    };
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        if c.is_alphanumeric() {
            if word.is_empty() {
                capital = c.is_uppercase();
                number = true;
            }
            number &= c.is_ascii_digit();
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        } else if matches!(c, '\'' | '’' | 'ʼ') && prev.is_alphanumeric() && next.is_alphanumeric()
        {
            apostrophe = Some(word.len());
        } else if matches!(c, ',' | '.') && prev.is_ascii_digit() && next.is_ascii_digit() {
            // One number.
        } else {
            flush(
                &mut word,
                capital,
                number,
                &mut apostrophe,
                &mut opens,
                sentence,
                quote,
            );
            match c {
                '“' | '«' => {
                    quotes += 1;
                    quote = Some(quotes);
                }
                '”' | '»' => quote = None,
                '"' => {
                    if quote.is_some() {
                        quote = None;
                    } else {
                        quotes += 1;
                        quote = Some(quotes);
                    }
                }
                _ => {}
            }
            if matches!(c, '.' | '!' | '?' | ';' | '…')
                && (next.is_whitespace() || matches!(next, '"' | '”' | '’' | '\'' | ')'))
            {
                opens = true;
                sentence += 1;
            }
        }
        prev = c;
    }
    flush(
        &mut word,
        capital,
        number,
        &mut apostrophe,
        &mut opens,
        sentence,
        quote,
    );
}

/// Feature kinds, mixed into each feature's hash so a name never equals a number.
const NUMBER: u64 = 0x6e75_6d62_6572_0001;
const NUMBER_UNIT: u64 = 0x6e75_6d62_6572_0002;
const NAME: u64 = 0x6e61_6d65_0000_0003;
const QUOTE: u64 = 0x7175_6f74_6500_0004;

/// A unit word, plural `s` dropped so that `2,000 metres` = `2,000-metre course`.
fn unit(word: &str) -> Option<&str> {
    if !word.chars().all(char::is_alphabetic) || NOT_UNITS.contains(&word) {
        return None;
    }
    Some(match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem,
        _ => word,
    })
}

/// Adds the distinctive features of one body line's words to `set`.
fn distinctive(words: &[Raw], set: &mut Vec<u64>) {
    let mut quoted: Vec<u64> = Vec::new();
    let mut span: Option<u32> = None;
    let flush_quote = |quoted: &mut Vec<u64>, set: &mut Vec<u64>| {
        if quoted.len() <= SHINGLE_WORDS {
            if !quoted.is_empty() {
                set.push(fmix64(shingle_hash(quoted) ^ QUOTE));
            }
        } else {
            set.extend(
                quoted
                    .windows(SHINGLE_WORDS)
                    .map(|w| fmix64(shingle_hash(w) ^ QUOTE)),
            );
        }
        quoted.clear();
    };
    let mut iter = words.iter().peekable();
    while let Some(w) = iter.next() {
        if w.quote != span {
            flush_quote(&mut quoted, set);
            span = w.quote;
        }
        let h = token_hash(&w.word);
        if w.quote.is_some() {
            quoted.push(h);
        }
        if w.number {
            set.push(fmix64(h ^ NUMBER));
            if let Some(next) = iter.peek()
                && next.sentence == w.sentence
                && let Some(u) = unit(&next.word)
            {
                set.push(fmix64(h.rotate_left(17) ^ token_hash(u) ^ NUMBER_UNIT));
            }
        } else if w.capital
            && !w.opens
            && w.word.chars().count() >= 2
            && !NOT_NAMES.contains(&w.word.as_str())
        {
            set.push(fmix64(h ^ NAME));
        }
    }
    flush_quote(&mut quoted, set);
}

/// Distinct distinctive-feature hashes of a story's body (not its headline), sorted.
fn distinctive_set(text: &str) -> Vec<u64> {
    let mut set = Vec::new();
    let mut words = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || is_boilerplate(line) || is_credit(line) {
            continue;
        }
        words.clear();
        if line.is_ascii() {
            raw_words(line.chars(), &mut words);
        } else {
            raw_words(line.nfkc(), &mut words);
        }
        distinctive(&words, &mut set);
    }
    set.sort_unstable();
    set.dedup();
    set
}

fn minhash_into(set: &[u64], family: &[(u64, u64)], slots: &mut [u32]) {
    for &x in set {
        for (slot, &(a, b)) in slots.iter_mut().zip(family.iter()) {
            // The high 32 bits of a·x + b: multiply-shift, universal for 64-bit keys.
            let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            *slot = (*slot).min(h);
        }
    }
}

/// Sketches a story: headline and plain text, paragraphs separated by newlines.
///
/// Case, Unicode form, punctuation, apostrophe style, sentence order and boilerplate lines do
/// not change the result; words and numbers do.
pub fn sketch(headline: &str, text: &str) -> Sketch {
    let set = shingle_set(headline, text);
    let mut minhash = [u32::MAX; MINHASH_SLOTS];
    minhash_into(&set, &FAMILY, &mut minhash);
    let mut bits = [0i32; 64];
    for &x in &set {
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
    let names = if set.is_empty() {
        Vec::new()
    } else {
        distinctive_set(text)
    };
    let mut name_hash = [u32::MAX; NAME_SLOTS];
    minhash_into(&names, &NAME_FAMILY, &mut name_hash);
    Sketch {
        simhash,
        shingles: u32::try_from(set.len()).unwrap_or(u32::MAX),
        minhash,
        names: u32::try_from(names.len()).unwrap_or(u32::MAX),
        name_hash,
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

/// Estimated Jaccard similarity of the two stories' distinctive-feature sets (numbers with
/// their units, names, quoted shingles), in `[0, 1]`; 0.0 when either story has fewer than
/// [`MIN_NAMES`] such features (a version-1 sketch has none), because a handful of shared
/// names says little.
pub fn name_similarity(a: &Sketch, b: &Sketch) -> f64 {
    if a.names < MIN_NAMES || b.names < MIN_NAMES {
        return 0.0;
    }
    let equal = a
        .name_hash
        .iter()
        .zip(b.name_hash.iter())
        .filter(|(x, y)| x == y)
        .count();
    equal as f64 / NAME_SLOTS as f64
}

/// Fewest distinctive features a story needs for [`name_similarity`] to speak.
pub const MIN_NAMES: u32 = 6;

/// True when the estimated Jaccard similarity of the shingles reaches `threshold` (the first
/// signal alone; [`crate::DedupSettings::is_duplicate`] combines both).
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
        assert_eq!(bytes[0], SKETCH_VERSION);
        assert_eq!(Sketch::from_bytes(&bytes).ok(), Some(a.clone()));
        assert!(Sketch::from_bytes(&bytes[1..]).is_err());
        assert!(Sketch::from_bytes(&[]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = 9;
        assert!(Sketch::from_bytes(&wrong).is_err());
        // A version-1 sketch (the old 524 bytes) still reads, with the second signal off.
        let v1 = &bytes[1..1 + SKETCH_BYTES_V1];
        let old = Sketch::from_bytes(v1).unwrap();
        assert_eq!(old.minhash(), a.minhash());
        assert_eq!(old.simhash(), a.simhash());
        assert_eq!(old.names(), 0);
        assert_eq!(similarity(&old, &a), 1.0);
        assert_eq!(name_similarity(&old, &a), 0.0);
    }

    fn features(text: &str) -> usize {
        distinctive_set(text).len()
    }

    #[test]
    fn distinctive_features() {
        // Names not opening a sentence, numbers with and without their unit, quotes.
        let a = distinctive_set(
            "The minister, Oksana Hrytsenko, said 1,200 pages were read. \
             “We are close,” she said on Monday.",
        );
        let b = distinctive_set(
            "Negotiators read 1,200 pages, said minister Oksana Hrytsenko. \
             She said on Monday: \"We are close.\"",
        );
        assert_eq!(a, b);
        // oksana, hrytsenko, 1200, 1200 page, one quote span.
        assert_eq!(a.len(), 5);
        // A possessive is the name; days, months and sentence openers are not names.
        assert_eq!(
            distinctive_set("Officials met Ukraine’s envoy."),
            distinctive_set("Officials met Ukraine envoy.")
        );
        assert_eq!(
            features("Talks began on Monday in March. Officials said so."),
            0
        );
        // Credit lines are skipped.
        assert_eq!(features("By Maria Lopez, Associated Press"), 0);
        assert_eq!(
            features("(Reporting by Anna Petrova; Editing by Mark Heinrich)"),
            0
        );
        // Plural units agree: `2,000 metres` = `2,000-metre`.
        assert_eq!(
            distinctive_set("over 2,000 metres."),
            distinctive_set("over the 2,000-metre course.")
        );
    }

    #[test]
    fn agency_rewrite_scores_high_on_names_only() {
        let a = sketch("Minerals talks resume", STORY);
        let b = sketch(
            "Kyiv and Washington back at the table",
            "KYIV, Ukraine: Negotiators from Ukraine and the United States returned to work \
             on a critical minerals accord on Monday, ending a two-week pause.\n\
             Ukraine’s economy minister said 1,200 pages of documents had been reviewed; the \
             deal would open lithium and titanium deposits to American companies.\n\
             Two people involved said a final text could come by the end of the month.",
        );
        assert!(similarity(&a, &b) < 0.3, "{}", similarity(&a, &b));
        assert!(a.names() >= MIN_NAMES && b.names() >= MIN_NAMES);
        assert!(
            name_similarity(&a, &b) > similarity(&a, &b),
            "{} {}",
            name_similarity(&a, &b),
            similarity(&a, &b)
        );
    }

    #[test]
    fn stable_across_versions() {
        // Stored sketches must keep their meaning: pin a few values.
        let a = sketch("Minerals talks resume", STORY);
        assert_eq!(a.shingles(), 57);
        assert_eq!(a.simhash(), 0x0666_2d6b_e3ba_764b);
        assert_eq!(a.minhash()[0], 0x0247_9411);
        assert_eq!(a.minhash()[127], 0x0f8b_b3a7);
        assert_eq!(a.to_bytes().len(), 785);
        assert_eq!(a.names(), 7);
        assert_eq!(a.name_minhash()[0], 0x0cb2_6af5);
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
