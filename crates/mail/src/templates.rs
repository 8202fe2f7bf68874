//! The mail templates (askama, files in `templates/`): the daily digest and the double opt-in
//! confirmation, each as a plain-text part that reads well alone and an HTML part built for mail
//! clients (table layout, inline CSS only, no external CSS, fonts or scripts, images with
//! width, height and alt text).
//!
//! Input: plain values the caller has chosen (stories, links, labels). Output: the two bodies.
//! The `.html` templates escape every value; the `.txt` ones escape nothing (`escape = "none"`),
//! so `&` and quotes stay as written.

use askama::Template;

use crate::MailError;

/// The widest an image is shown in the HTML digest: the 600-pixel column less its padding.
pub const DIGEST_IMAGE_MAX_WIDTH: u32 = 552;

/// One site's daily digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMail {
    pub site_name: String,
    pub site_url: String,
    /// The day in the site's words and zone, e.g. `Saturday, 12 April 2025`.
    pub date_label: String,
    /// Sections in page order; a section with no stories is left out.
    pub sections: Vec<DigestSection>,
    /// Why the reader gets this: `You get this because you subscribed to … at …`.
    pub why_line: String,
    pub unsubscribe_url: String,
    pub preferences_url: String,
}

/// A section of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSection {
    pub name: String,
    pub stories: Vec<DigestStory>,
}

/// A story's teaser in the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestStory {
    pub headline: String,
    pub teaser: String,
    pub url: String,
    pub image: Option<DigestImage>,
}

/// A story's image: its URL, alt text and intrinsic size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestImage {
    pub url: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

impl DigestImage {
    /// The size shown: the intrinsic size, scaled down to fit the column. Outlook ignores CSS
    /// widths, so the attributes themselves must fit.
    pub fn display_size(&self) -> (u32, u32) {
        let (w, h) = (self.width.max(1), self.height.max(1));
        if w <= DIGEST_IMAGE_MAX_WIDTH {
            return (w, h);
        }
        let scaled = u64::from(h) * u64::from(DIGEST_IMAGE_MAX_WIDTH) / u64::from(w);
        (
            DIGEST_IMAGE_MAX_WIDTH,
            u32::try_from(scaled).unwrap_or(u32::MAX).max(1),
        )
    }

    fn display_width(&self) -> u32 {
        self.display_size().0
    }

    fn display_height(&self) -> u32 {
        self.display_size().1
    }
}

impl DigestSection {
    /// An underline as long as the upper-cased name, for the text part.
    fn rule(&self) -> String {
        "-".repeat(self.name.to_uppercase().chars().count())
    }
}

/// The double opt-in confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmMail {
    pub site_name: String,
    pub confirm_url: String,
    /// When the link stops working, in words: `in 48 hours`, `on 14 April at 09:00 EDT`.
    pub expires_label: String,
}

#[derive(Template)]
#[template(path = "digest.txt", escape = "none")]
struct DigestText<'a> {
    d: &'a DigestMail,
    sections: Vec<&'a DigestSection>,
}

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestHtml<'a> {
    d: &'a DigestMail,
    sections: Vec<&'a DigestSection>,
    preheader: &'a str,
}

#[derive(Template)]
#[template(path = "confirm.txt", escape = "none")]
struct ConfirmText<'a> {
    c: &'a ConfirmMail,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmHtml<'a> {
    c: &'a ConfirmMail,
}

/// Renders the digest: `(text, html)`.
pub fn render_digest(d: &DigestMail) -> Result<(String, String), MailError> {
    let sections: Vec<&DigestSection> = d
        .sections
        .iter()
        .filter(|s| !s.stories.is_empty())
        .collect();
    let preheader = sections
        .iter()
        .flat_map(|s| s.stories.first())
        .map(|s| s.headline.as_str())
        .next()
        .unwrap_or_default();
    let text = DigestText {
        d,
        sections: sections.clone(),
    }
    .render()
    .map_err(|source| MailError::Template {
        template: "digest.txt",
        source,
    })?;
    let html = DigestHtml {
        d,
        sections,
        preheader,
    }
    .render()
    .map_err(|source| MailError::Template {
        template: "digest.html",
        source,
    })?;
    Ok((tidy_text(&text), html))
}

/// Renders the confirmation: `(text, html)`.
pub fn render_confirm(c: &ConfirmMail) -> Result<(String, String), MailError> {
    let text = ConfirmText { c }
        .render()
        .map_err(|source| MailError::Template {
            template: "confirm.txt",
            source,
        })?;
    let html = ConfirmHtml { c }
        .render()
        .map_err(|source| MailError::Template {
            template: "confirm.html",
            source,
        })?;
    Ok((tidy_text(&text), html))
}

/// Template tags leave stray blank lines and trailing spaces; a text part should have neither:
/// at most one blank line in a row, no trailing spaces, one final newline. A line holding only
/// `-- ` (the signature separator) keeps its space.
fn tidy_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0;
    for line in raw.lines() {
        let line = if line == "-- " { line } else { line.trim_end() };
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests;
