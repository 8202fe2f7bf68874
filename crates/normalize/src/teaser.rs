//! Teasers: "DATELINE: lead…" cut to length at a word boundary.
//!
//! Input: an optional dateline, the lead paragraph and a length in characters. Output: one
//! line of text. It never cuts inside a word (unless a single word is longer than the whole
//! budget), never appends "…" to a lead that fits, and counts characters, not bytes.

const ELLIPSIS: char = '…';

/// Characters that must not end a cut teaser: they promise more than the cut delivers.
fn is_dangling(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';' | ':' | '-' | '–' | '—' | '(' | '[' | '{' | '“' | '‘' | '«' | '/' | '&'
        )
}

/// Characters that attach to the one before them (combining marks, variation selectors,
/// zero-width joiner, skin-tone modifiers): a hard cut must not separate them from it.
fn is_extender(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{200D}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Breakable whitespace; no-break spaces keep their neighbours together.
fn is_break(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

/// The lead with runs of breakable whitespace collapsed to one space, trimmed.
fn collapse(lead: &str) -> String {
    let mut out = String::with_capacity(lead.len());
    for word in lead.split(is_break).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The lead cut to at most `max_chars` characters (plus "…" when cut).
fn cut(lead: &str, max_chars: usize) -> String {
    let chars: Vec<char> = lead.chars().collect();
    if chars.len() <= max_chars {
        return lead.to_owned();
    }
    let head = chars.get(..max_chars).unwrap_or(&[]);
    let next_is_break = chars.get(max_chars).copied().is_some_and(is_break);
    let mut end = if next_is_break {
        max_chars
    } else {
        head.iter().rposition(|&c| is_break(c)).unwrap_or(max_chars)
    };
    let hard = end == max_chars && !next_is_break;
    if hard {
        // A single word longer than the budget: cut inside it, but not inside a character
        // cluster such as "é" written as e + U+0301 or an emoji with a skin tone.
        while end > 0
            && (chars.get(end).copied().is_some_and(is_extender)
                || chars.get(end - 1) == Some(&'\u{200D}'))
        {
            end -= 1;
        }
        if end == 0 {
            end = max_chars;
        }
    }
    let mut kept = chars.get(..end).unwrap_or(&[]);
    while let Some((&last, rest)) = kept.split_last() {
        if is_dangling(last) {
            kept = rest;
        } else {
            break;
        }
    }
    let mut out: String = kept.iter().collect();
    out.push(ELLIPSIS);
    out
}

/// `"DATELINE: lead…"`: the lead (whitespace collapsed) shown whole when it has at most
/// `max_chars` characters, otherwise cut at the last word boundary at or before `max_chars`,
/// with trailing separators (, ; : dashes, opening brackets and quotes) dropped and "…"
/// (U+2026) appended. A first word longer than `max_chars` is cut at `max_chars` characters.
/// The dateline, when present and not blank, is written before the lead with ": "; it does
/// not count towards `max_chars`.
pub fn teaser(dateline: Option<&str>, lead: &str, max_chars: usize) -> String {
    let body = cut(&collapse(lead), max_chars);
    match dateline.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) if body.is_empty() => d.to_owned(),
        Some(d) => format!("{d}: {body}"),
        None => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lead_that_fits_is_whole() {
        assert_eq!(
            teaser(Some("KYIV, Ukraine"), "Talks ended.", 120),
            "KYIV, Ukraine: Talks ended."
        );
        let exact = "a".repeat(120);
        assert_eq!(teaser(None, &exact, 120), exact);
    }

    #[test]
    fn design_examples() {
        let lead = "The Trump administration is in early talks about holding a large military parade \
                    in Washington to mark the Army's 250th birthday, according to officials.";
        let t = teaser(Some("WASHINGTON, D.C."), lead, 120);
        assert_eq!(
            t,
            "WASHINGTON, D.C.: The Trump administration is in early talks about holding a large \
             military parade in Washington to mark the Army's 250th…"
        );
        let lead = "Talks between Ukraine and the United States over a critical minerals deal have \
                    resumed, with both sides reporting progress.";
        assert_eq!(
            teaser(Some("KYIV, Ukraine"), lead, 70),
            "KYIV, Ukraine: Talks between Ukraine and the United States over a critical minerals…"
        );
    }

    #[test]
    fn cut_at_a_word_boundary_drops_trailing_punctuation() {
        assert_eq!(teaser(None, "one two, three four", 9), "one two…");
        assert_eq!(teaser(None, "one two; three", 8), "one two…");
        assert_eq!(teaser(None, "one two — three", 9), "one two…");
        assert_eq!(teaser(None, "one two three", 7), "one two…");
        assert_eq!(teaser(None, "one two three", 8), "one two…");
        assert_eq!(teaser(None, "He said “yes” today", 9), "He said…");
    }

    #[test]
    fn a_long_word_is_cut_at_max() {
        assert_eq!(teaser(None, "Supercalifragilistic rest", 5), "Super…");
        assert_eq!(teaser(None, "東京都の株価は上昇した", 4), "東京都の…");
        assert_eq!(teaser(None, "anything", 0), "…");
    }

    #[test]
    fn unicode_is_counted_in_characters() {
        assert_eq!(teaser(None, "été à São Paulo", 9), "été à São…");
        assert_eq!(teaser(None, "🙂🙂 🙂🙂🙂", 4), "🙂🙂…");
        // e + combining acute is not split from its accent on a hard cut.
        assert_eq!(teaser(None, "cafe\u{301}s", 4), "caf…");
        assert_eq!(teaser(None, "👍\u{1F3FD}👍\u{1F3FD}", 3), "👍\u{1F3FD}…");
    }

    #[test]
    fn whitespace_collapses_and_blank_dateline_is_ignored() {
        assert_eq!(teaser(Some("  "), "  a\n\n b  ", 120), "a b");
        assert_eq!(teaser(Some("KYIV"), "", 120), "KYIV");
        assert_eq!(teaser(None, "", 120), "");
        assert_eq!(teaser(None, "10\u{a0}km away", 4), "10\u{a0}k…");
    }

    proptest! {
        #[test]
        fn cut_is_a_word_boundary_prefix(lead in "[a-zé東🙂 ,;:—.]{0,80}", max in 0usize..40) {
            let t = teaser(None, &lead, max);
            let norm = collapse(&lead);
            let body = t.strip_suffix(ELLIPSIS).unwrap_or(&t);
            prop_assert!(t.chars().count() <= max + 1);
            prop_assert!(norm.starts_with(body));
            if t.ends_with(ELLIPSIS) && norm.chars().count() > max {
                let next = norm.get(body.len()..).and_then(|r| r.chars().next());
                let at_boundary = next.is_none_or(|c| is_break(c) || is_dangling(c));
                let hard = body.chars().count() == max
                    && !norm.chars().take(max).any(is_break);
                prop_assert!(at_boundary || hard || body.is_empty(), "{t:?} from {norm:?}");
            } else {
                prop_assert_eq!(&t, &norm);
            }
        }

        #[test]
        fn dateline_is_a_prefix(d in "[A-Z]{2,8}", lead in "[a-z ]{0,40}") {
            let t = teaser(Some(&d), &lead, 20);
            prop_assert!(t.starts_with(&d));
        }
    }
}
