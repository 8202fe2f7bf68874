//! URL slugs from headlines.
//!
//! Input: a headline. Output: `witkoff-leaves-st-petersburg-after-talks`: lower-case ASCII
//! letters and digits joined by single hyphens, at most 80 characters. The store sets a
//! story's slug once, so this never needs to be reversible or stable across headline edits;
//! it never returns an empty string.

const MAX_LEN: usize = 80;

/// A cut at a hyphen is preferred only if it keeps at least this much of the slug.
const MIN_WORD_CUT: usize = MAX_LEN / 2;

/// Latin letters with accents (lower case; input is lower-cased first) → ASCII.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' | 'ĝ' | 'ġ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// A slug for a headline; `"story"` when nothing usable is left.
///
/// Apostrophes inside words vanish (`Witkoff’s` → `witkoffs`); accents are transliterated
/// with a small Latin table; every other run of characters becomes one hyphen. A slug longer
/// than 80 characters is cut at its last hyphen within the limit (if that keeps at least half
/// of it), else at 80 characters.
pub fn slugify(headline: &str) -> String {
    let mut slug = String::with_capacity(headline.len().min(MAX_LEN * 2));
    let mut pending_hyphen = false;
    for c in headline.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '‘' | 'ʼ') {
            continue;
        }
        let piece: Option<&str> = if c.is_ascii_alphanumeric() {
            None
        } else {
            transliterate(c)
        };
        if c.is_ascii_alphanumeric() || piece.is_some() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            match piece {
                Some(p) => slug.push_str(p),
                None => slug.push(c),
            }
        } else {
            pending_hyphen = true;
        }
        if slug.len() > MAX_LEN {
            break;
        }
    }
    // Only ASCII from here on, so byte positions are character positions.
    if slug.len() > MAX_LEN {
        let cut = match slug.get(..=MAX_LEN).and_then(|s| s.rfind('-')) {
            Some(i) if i >= MIN_WORD_CUT => i,
            _ => MAX_LEN,
        };
        slug.truncate(cut);
    }
    let trimmed = slug.trim_matches('-');
    if trimmed.is_empty() {
        "story".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn headlines() {
        assert_eq!(
            slugify("Witkoff leaves St. Petersburg after four-hour talks with Putin"),
            "witkoff-leaves-st-petersburg-after-four-hour-talks-with-putin"
        );
        assert_eq!(slugify("The president’s “deal”!"), "the-presidents-deal");
        assert_eq!(
            slugify("Café in São Paulo: Zürich & Łódź"),
            "cafe-in-sao-paulo-zurich-lodz"
        );
        assert_eq!(slugify("Straße ÆØÅ Œuvre"), "strasse-aeoa-oeuvre");
        assert_eq!(slugify("  --Hello__World--  "), "hello-world");
        assert_eq!(slugify("2025: 10 things"), "2025-10-things");
    }

    #[test]
    fn empty_becomes_story() {
        assert_eq!(slugify(""), "story");
        assert_eq!(slugify("東京 🙂 !!!"), "story");
        assert_eq!(slugify("---"), "story");
    }

    #[test]
    fn long_headlines_are_cut_at_a_hyphen() {
        let h = "word ".repeat(40);
        let s = slugify(&h);
        assert!(s.len() <= 80);
        assert!(s.ends_with("word"));
        assert_eq!(s, vec!["word"; 16].join("-"));
        let long_word = "a".repeat(200);
        assert_eq!(slugify(&long_word), "a".repeat(80));
        let exact = "b".repeat(80);
        assert_eq!(slugify(&exact), exact);
    }

    proptest! {
        #[test]
        fn slug_shape(h in "\\PC{0,200}") {
            let s = slugify(&h);
            prop_assert!(!s.is_empty() && s.len() <= 80);
            prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            prop_assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"));
        }
    }
}
