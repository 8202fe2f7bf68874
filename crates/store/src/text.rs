//! Small text rules the store applies itself: a story's slug (made once, at insert), its lead
//! (first paragraph, kept so lists never read bodies) and database URLs fit for messages.
//!
//! Input: headlines, body text, URLs. Output: new strings. Never touches the database and never
//! changes story text itself (that stays byte for byte as given).

/// Longest slug, in bytes (all ASCII, so also characters).
const SLUG_MAX: usize = 80;

/// The URL slug for a headline: lower-case ASCII letters and digits, any other run of
/// characters becomes one `-`, at most 80 characters, `story` when nothing is left.
///
/// Apostrophes inside words vanish rather than split them ("Putin’s" → `putins`), and common
/// Latin accents fold to their base letter ("Café" → `cafe`), so slugs read as the headline.
///
/// ```
/// assert_eq!(masthead_store::slug_of("Witkoff leaves St. Petersburg!"), "witkoff-leaves-st-petersburg");
/// assert_eq!(masthead_store::slug_of("“…”"), "story");
/// ```
pub fn slug_of(headline: &str) -> String {
    let mut slug = String::with_capacity(headline.len().min(SLUG_MAX + 1));
    let mut gap = false;
    for c in headline.chars() {
        if matches!(c, '\'' | '’' | '‘' | 'ʼ') {
            continue;
        }
        let mut push = |a: char| {
            if a.is_ascii_alphanumeric() {
                if gap && !slug.is_empty() {
                    slug.push('-');
                }
                gap = false;
                slug.push(a.to_ascii_lowercase());
            } else {
                gap = true;
            }
        };
        match fold(c) {
            Some(ascii) => ascii.chars().for_each(&mut push),
            None => push(c),
        }
        if slug.len() > SLUG_MAX {
            break;
        }
    }
    if slug.len() > SLUG_MAX {
        // Cut at the last word boundary when there is one, so the slug ends on a whole word.
        let cut = slug
            .char_indices()
            .take_while(|&(i, _)| i <= SLUG_MAX)
            .filter(|&(_, c)| c == '-')
            .map(|(i, _)| i)
            .last()
            .unwrap_or(SLUG_MAX);
        slug.truncate(cut);
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("story");
    }
    slug
}

/// Latin letters with accents, folded to what an English reader would type.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à'..='å' | 'À'..='Å' | 'ā' | 'Ā' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'č' | 'Č' | 'ć' | 'Ć' => "c",
        'è'..='ë' | 'È'..='Ë' | 'ē' | 'Ē' | 'ę' | 'Ę' | 'ě' | 'Ě' => "e",
        'ì'..='ï' | 'Ì'..='Ï' | 'ī' | 'Ī' => "i",
        'ł' | 'Ł' => "l",
        'ñ' | 'Ñ' | 'ń' | 'Ń' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' | 'ō' | 'Ō' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'š' | 'Š' | 'ś' | 'Ś' => "s",
        'ß' => "ss",
        'ù'..='ü' | 'Ù'..='Ü' | 'ū' | 'Ū' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ž' | 'Ž' | 'ź' | 'Ź' | 'ż' | 'Ż' => "z",
        _ => return None,
    })
}

/// The first paragraph of a body given as plain text with paragraphs separated by blank lines,
/// trimmed. Blank lines before the first paragraph are skipped.
///
/// ```
/// assert_eq!(masthead_store::lead_of("\n KYIV: Talks began.\nMore.\n\nSecond."), "KYIV: Talks began.\nMore.");
/// ```
pub fn lead_of(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        lines.push(line);
    }
    lines.join("\n").trim().to_owned()
}

/// A database URL safe to print: the password (in the authority or as a `password=` query
/// parameter) is removed; anything else is kept as given.
///
/// ```
/// assert_eq!(
///     masthead_store::redact_url("postgres://app:s3cret@db:5432/masthead"),
///     "postgres://app@db:5432/masthead"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return redact_unparsed(url);
    };
    let mut changed = false;
    if parsed.password().is_some() {
        // Fails only for URLs that cannot have a password, which then has none to strip.
        changed |= parsed.set_password(None).is_ok();
    }
    let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    if pairs
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("password"))
    {
        parsed.set_query(None);
        let kept: Vec<_> = pairs
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("password"))
            .collect();
        if !kept.is_empty() {
            parsed.query_pairs_mut().extend_pairs(kept);
        }
        changed = true;
    }
    if changed {
        parsed.to_string()
    } else {
        url.to_owned()
    }
}

/// Best effort for what `url` cannot parse: drop `:password` from `scheme://user:password@`.
fn redact_unparsed(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some((authority, tail)) = rest.split_at_checked(end) else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
    format!("{scheme}://{user}@{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_words_joined_by_dashes() {
        assert_eq!(
            slug_of("Witkoff leaves St. Petersburg after four-hour talks with Putin"),
            "witkoff-leaves-st-petersburg-after-four-hour-talks-with-putin"
        );
        assert_eq!(slug_of("  --Putin’s “deal” — 2025…  "), "putins-deal-2025");
        assert_eq!(slug_of("Café in São Paulo"), "cafe-in-sao-paulo");
        assert_eq!(slug_of("🦘 ‘…’"), "story");
        assert_eq!(slug_of(""), "story");
        assert_eq!(slug_of("日本語のニュース 7"), "7");
    }

    #[test]
    fn long_slugs_end_on_a_word() {
        let headline = "word ".repeat(40);
        let slug = slug_of(&headline);
        assert!(slug.len() <= SLUG_MAX, "{slug}");
        assert!(slug.ends_with("word"), "{slug}");
        let one_long_word = "a".repeat(200);
        assert_eq!(slug_of(&one_long_word).len(), SLUG_MAX);
    }

    #[test]
    fn lead_is_the_first_paragraph() {
        assert_eq!(lead_of("One.\n\nTwo."), "One.");
        assert_eq!(lead_of("One.\r\n\r\nTwo."), "One.");
        assert_eq!(lead_of("One.\n   \nTwo."), "One.");
        assert_eq!(
            lead_of("\n\n  One, with ’quotes’ 🦘  \nstill one.\n\nTwo."),
            "One, with ’quotes’ 🦘  \nstill one."
        );
        assert_eq!(lead_of(""), "");
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db/masthead?sslmode=require&password=x"),
            "postgres://app@db/masthead?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://db/masthead"),
            "postgres://db/masthead"
        );
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(
            redact_url("sqlite:///var/lib/m.db"),
            "sqlite:///var/lib/m.db"
        );
        assert_eq!(
            redact_url("postgres://app:s3cr@t@[bad/x"),
            "postgres://app@[bad/x"
        );
    }
}
