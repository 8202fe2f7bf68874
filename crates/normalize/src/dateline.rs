//! Wire datelines at the start of a lead: `KYIV, Ukraine: Talks between …`.
//!
//! Input: a lead paragraph as plain text. Output: the dateline (place only, agency dropped)
//! and the rest of the paragraph. It is conservative by design: a lead that does not start
//! with a capitals place name immediately followed by a separator is returned whole, and
//! common labels ("UPDATE:", "BREAKING:") are never taken for places. It never edits the
//! text of either part beyond trimming.

/// Labels that look like datelines but are not places.
const LABELS: &[&str] = &[
    "ADVISORY",
    "ALERT",
    "ANALYSIS",
    "BREAKING",
    "BREAKING NEWS",
    "COMMENT",
    "COMMENTARY",
    "CORRECTION",
    "DEVELOPING",
    "EDITORIAL",
    "EDITOR'S NOTE",
    "EDITOR’S NOTE",
    "EMBARGOED",
    "EXCLUSIVE",
    "FACT CHECK",
    "FEATURE",
    "FILE",
    "FLASH",
    "INTERVIEW",
    "JUST IN",
    "LISTEN",
    "LIVE",
    "NEW",
    "NEWS",
    "NOTE",
    "OBITUARY",
    "OPINION",
    "PHOTO",
    "PHOTOS",
    "PODCAST",
    "POLL",
    "QUIZ",
    "READ MORE",
    "RELATED",
    "REVIEW",
    "SPONSORED",
    "UPDATE",
    "UPDATED",
    "URGENT",
    "VIDEO",
    "WARNING",
    "WATCH",
];

/// Small lower-case words allowed between Title Case words of a place name.
const CONNECTORS: &[&str] = &[
    "and", "of", "de", "da", "do", "dos", "das", "del", "des", "du", "la", "le", "el", "di",
    "upon", "on", "y",
];

const MAX_CAPS_WORDS: usize = 5;
const MAX_PLACE_WORDS: usize = 6;
const MAX_AGENCY_CHARS: usize = 40;

struct Cursor<'a> {
    s: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            s,
            chars: s.char_indices().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.peek_at(0)
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).map(|&(_, c)| c)
    }

    fn byte(&self) -> usize {
        self.chars.get(self.pos).map_or(self.s.len(), |&(b, _)| b)
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.s.get(from..to).unwrap_or("")
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
}

fn is_word_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '\'' | '’')
}

fn is_upper_letter(c: char) -> bool {
    c.is_alphabetic() && c.is_uppercase()
}

/// One word in capitals (`KYIV`, `ST.`, `N’DJAMENA`, `SÃO`); returns its letter count.
fn caps_word(cur: &mut Cursor<'_>) -> Option<usize> {
    let start = cur.pos;
    let mut letters = 0usize;
    match cur.peek() {
        Some(c) if is_upper_letter(c) => {}
        _ => return None,
    }
    let mut last = ' ';
    while let Some(c) = cur.peek() {
        if is_upper_letter(c) {
            letters += 1;
        } else if is_word_joiner(c) {
        } else if c.is_alphanumeric() {
            // A lower-case letter or a digit: an ordinary word ("NASAs", "G7"), not a place.
            cur.pos = start;
            return None;
        } else {
            break;
        }
        last = c;
        cur.pos += 1;
    }
    if matches!(last, '-' | '\'' | '’') {
        cur.pos = start;
        return None;
    }
    Some(letters)
}

/// A Title Case word of a place name (`Ukraine`, `D.C.`, `Trinidad`).
fn title_word(cur: &mut Cursor<'_>) -> bool {
    let start = cur.pos;
    match cur.peek() {
        Some(c) if is_upper_letter(c) => cur.pos += 1,
        _ => return false,
    }
    while let Some(c) = cur.peek() {
        if c.is_alphabetic() || is_word_joiner(c) {
            cur.pos += 1;
        } else if c.is_numeric() {
            cur.pos = start;
            return false;
        } else {
            break;
        }
    }
    true
}

fn connector(cur: &mut Cursor<'_>) -> bool {
    let start = cur.pos;
    let from = cur.byte();
    while cur
        .peek()
        .is_some_and(|c| c.is_alphabetic() && c.is_lowercase())
    {
        cur.pos += 1;
    }
    if CONNECTORS.contains(&cur.slice(from, cur.byte())) {
        true
    } else {
        cur.pos = start;
        false
    }
}

/// `Place Name` after ", ": Title Case words, with connectors only between them.
fn place(cur: &mut Cursor<'_>) -> bool {
    if !title_word(cur) {
        return false;
    }
    let mut words = 1;
    while words < MAX_PLACE_WORDS && cur.peek() == Some(' ') {
        let save = cur.pos;
        cur.pos += 1;
        if title_word(cur) {
            words += 1;
            continue;
        }
        if connector(cur) && cur.eat(' ') && title_word(cur) {
            words += 2;
            continue;
        }
        cur.pos = save;
        break;
    }
    true
}

/// `(Reuters)`, `(AP)`, `(dpa)` after a space.
fn agency(cur: &mut Cursor<'_>) -> bool {
    let start = cur.pos;
    if !(cur.peek() == Some(' ') && cur.peek_at(1) == Some('(')) {
        return false;
    }
    cur.pos += 2;
    let mut n = 0usize;
    while let Some(c) = cur.peek() {
        if c == ')' {
            break;
        }
        if c == '(' || c == '\n' || n >= MAX_AGENCY_CHARS {
            cur.pos = start;
            return false;
        }
        n += 1;
        cur.pos += 1;
    }
    if n == 0 || !cur.eat(')') {
        cur.pos = start;
        return false;
    }
    true
}

/// ":", " —", "—", " –", " - ", " -- ", each followed by the lead.
fn separator(cur: &mut Cursor<'_>) -> bool {
    let mut spaces = 0usize;
    while spaces < 2 && cur.eat(' ') {
        spaces += 1;
    }
    let space_after = |cur: &Cursor<'_>| cur.peek().is_some_and(char::is_whitespace);
    match cur.peek() {
        Some(':') if spaces == 0 => {
            cur.pos += 1;
            space_after(cur)
        }
        Some('—' | '–') => {
            cur.pos += 1;
            true
        }
        Some('-') if spaces > 0 => {
            cur.pos += 1;
            cur.eat('-');
            space_after(cur)
        }
        _ => false,
    }
}

fn parse(lead: &str) -> Option<(String, String)> {
    let mut cur = Cursor::new(lead);
    let mut letters = caps_word(&mut cur)?;
    let mut words = 1;
    while words < MAX_CAPS_WORDS && cur.peek() == Some(' ') {
        let save = cur.pos;
        cur.pos += 1;
        match caps_word(&mut cur) {
            Some(n) => {
                letters += n;
                words += 1;
            }
            None => {
                cur.pos = save;
                break;
            }
        }
    }
    if letters < 2 || LABELS.contains(&cur.slice(0, cur.byte())) {
        return None;
    }
    // At most two ", Place" groups: "SPRINGFIELD, Ill., United States".
    for _ in 0..2 {
        if cur.peek() == Some(',') && cur.peek_at(1) == Some(' ') {
            cur.pos += 2;
            if !place(&mut cur) {
                return None;
            }
        }
    }
    let dateline_end = cur.byte();
    agency(&mut cur);
    if !separator(&mut cur) {
        return None;
    }
    let rest = cur.slice(cur.byte(), lead.len()).trim();
    if rest.is_empty() {
        return None;
    }
    Some((cur.slice(0, dateline_end).to_owned(), rest.to_owned()))
}

/// Splits a wire dateline off the start of a lead.
///
/// `"KYIV, Ukraine: Talks between …"` → `(Some("KYIV, Ukraine"), "Talks between …")`;
/// `"LONDON (Reuters) - Prices …"` → `(Some("LONDON"), "Prices …")`. A dateline is one to five
/// words in capitals (letters with `.`, `-`, `'`, `’` inside; at least two letters in all),
/// optionally `, Place Name` in Title Case (connectors like "and", "de" between words),
/// optionally ` (Agency)`, then immediately `:`, `—`, `–`, ` - ` or ` -- ` and the lead.
/// Anything else, including labels such as `UPDATE:`, gives `(None, paragraph)`. Both parts
/// come back trimmed.
pub fn split_dateline(paragraph: &str) -> (Option<String>, String) {
    let p = paragraph.trim();
    match parse(p) {
        Some((dateline, rest)) => (Some(dateline), rest),
        None => (None, p.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yes(input: &str, dateline: &str, rest: &str) {
        assert_eq!(
            split_dateline(input),
            (Some(dateline.to_owned()), rest.to_owned()),
            "{input}"
        );
    }

    fn no(input: &str) {
        assert_eq!(
            split_dateline(input),
            (None, input.trim().to_owned()),
            "{input}"
        );
    }

    #[test]
    fn wire_datelines() {
        yes(
            "KYIV, Ukraine: Talks between Ukraine and the United States",
            "KYIV, Ukraine",
            "Talks between Ukraine and the United States",
        );
        yes(
            "WASHINGTON, D.C.: The Trump administration is in early talks",
            "WASHINGTON, D.C.",
            "The Trump administration is in early talks",
        );
        yes(
            "FRANKFORT, Kentucky — Heavy rain over several days",
            "FRANKFORT, Kentucky",
            "Heavy rain over several days",
        );
        yes(
            "FRANKFORT, Kentucky – Heavy rain",
            "FRANKFORT, Kentucky",
            "Heavy rain",
        );
        yes(
            "FRANKFORT, Kentucky—Heavy rain",
            "FRANKFORT, Kentucky",
            "Heavy rain",
        );
        yes("LONDON (Reuters) - Prices rose", "LONDON", "Prices rose");
        yes("NEW YORK (AP) — Stocks fell", "NEW YORK", "Stocks fell");
        yes("BERLIN (dpa): Die Regierung", "BERLIN", "Die Regierung");
        yes("SYDNEY -- Shares slid", "SYDNEY", "Shares slid");
        yes("SYDNEY - Shares slid", "SYDNEY", "Shares slid");
        yes("SÃO PAULO, Brazil: O real", "SÃO PAULO, Brazil", "O real");
        yes(
            "ST. PETERSBURG, Russia: Witkoff left",
            "ST. PETERSBURG, Russia",
            "Witkoff left",
        );
        yes(
            "PORT-AU-PRINCE, Haiti: Gangs",
            "PORT-AU-PRINCE, Haiti",
            "Gangs",
        );
        yes(
            "PORT OF SPAIN, Trinidad and Tobago: Rain",
            "PORT OF SPAIN, Trinidad and Tobago",
            "Rain",
        );
        yes("N’DJAMENA, Chad: Officials", "N’DJAMENA, Chad", "Officials");
        yes(
            "SPRINGFIELD, Ill., United States: Corn",
            "SPRINGFIELD, Ill., United States",
            "Corn",
        );
        yes("  TOKYO: 東京の株価  ", "TOKYO", "東京の株価");
    }

    #[test]
    fn ordinary_sentences_are_not_datelines() {
        no("The US president's confidant spent over four hours");
        no("NASA said on Monday that the launch");
        no("I: a single letter is not a place");
        no("US president Trump: the deal");
        no("US, China agree to talks: officials");
        no("UPDATE: The council met again");
        no("BREAKING: Fire downtown");
        no("EDITOR'S NOTE: This story was corrected");
        no("G7 LEADERS: meeting");
        no("KYIV,Ukraine: no space after the comma");
        no("KYIV, ukraine: lower-case place");
        no("KYIV : space before the colon");
        no("LONDON-based firms said");
        no("LONDON -based firms");
        no("KYIV:");
        no("KYIV: ");
        no("KYIV:Talks without a space");
        no("KYIV (no closing bracket - here");
        no("");
        no("Plain text with no capitals");
    }

    proptest! {
        #[test]
        fn split_never_loses_text(s in "\\PC{0,40}") {
            let (dateline, rest) = split_dateline(&s);
            match dateline {
                None => prop_assert_eq!(rest, s.trim()),
                Some(d) => {
                    prop_assert!(s.trim().starts_with(&d));
                    prop_assert!(s.trim().ends_with(&rest));
                    prop_assert!(!rest.is_empty());
                }
            }
        }
    }
}
