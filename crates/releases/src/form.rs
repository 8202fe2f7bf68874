//! The submit form as typed, and its validation into a [`NewRelease`].
//!
//! Every field has its own message, written for the person filling the form in: what is
//! wrong and what to do. Text is kept as typed apart from Unicode NFC, control characters
//! dropped and (on one-line fields) runs of whitespace made one space.

use masthead_model::{NewRelease, OffsetTime, ReleaseKind, Site};
use sha2::Digest;

use crate::body::{count_links, unsafe_link_targets};

/// More links than this in a body and the release is refused (spam carries many).
pub const MAX_LINKS: usize = 5;
pub const MAX_BODY_CHARS: usize = 20_000;
const MIN_BODY_CHARS: usize = 40;
const MIN_HEADLINE_CHARS: usize = 10;
const MAX_HEADLINE_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 200;
const MAX_DATELINE_CHARS: usize = 80;
const MAX_EVENT_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PHONE_CHARS: usize = 40;
const MIN_PHONE_DIGITS: usize = 6;

/// The form as typed (the web layer fills it from the POST; nothing here is trusted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseForm {
    /// [`ReleaseKind::as_str`], e.g. `personnel_appointment`.
    pub kind: String,
    pub organisation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub headline: String,
    pub body: String,
    pub dateline: String,
    /// Free text, or what a `datetime-local` input sends (`2026-12-05T19:00`).
    pub event_at: String,
    pub event_place: String,
    /// Slugs of the sites it is meant for.
    pub sites: Vec<String>,
}

/// A field of the form; [`Field::name`] is its name in the HTML form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Kind,
    Organisation,
    ContactName,
    ContactEmail,
    ContactPhone,
    Headline,
    Body,
    Dateline,
    EventAt,
    EventPlace,
    Image,
    Sites,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Organisation => "organisation",
            Self::ContactName => "contact_name",
            Self::ContactEmail => "contact_email",
            Self::ContactPhone => "contact_phone",
            Self::Headline => "headline",
            Self::Body => "body",
            Self::Dateline => "dateline",
            Self::EventAt => "event_at",
            Self::EventPlace => "event_place",
            Self::Image => "image",
            Self::Sites => "sites",
        }
    }
}

/// A message per field that needs fixing (at most one each, in form order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, String)>);

impl FieldErrors {
    /// Adds a message, unless the field has one already (the first problem is the one to fix).
    pub fn add(&mut self, field: Field, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
            self.0.sort_by_key(|(f, _)| *f);
        }
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (field, message)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {message}", field.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Checks the form against the network's `sites` at `now`: the release (without an image;
/// the web layer adds a checked one) or every field's problem.
pub fn validate(
    form: &ReleaseForm,
    sites: &[Site],
    now: OffsetTime,
) -> Result<NewRelease, FieldErrors> {
    let mut errors = FieldErrors::default();

    let kind = ReleaseKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add(Field::Kind, "Choose what kind of news this is.");
    }

    let organisation = one_line(&form.organisation);
    required(
        &mut errors,
        Field::Organisation,
        &organisation,
        "Give the name of your business, group or organisation.",
        MAX_NAME_CHARS,
    );
    let contact_name = one_line(&form.contact_name);
    required(
        &mut errors,
        Field::ContactName,
        &contact_name,
        "Give the name of the person our editors can contact.",
        MAX_NAME_CHARS,
    );

    let contact_email = one_line(&form.contact_email).to_lowercase();
    if let Err(message) = check_email(&contact_email) {
        errors.add(Field::ContactEmail, message);
    }

    let phone = one_line(&form.contact_phone);
    if !phone.is_empty() {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/'));
        if !allowed || digits < MIN_PHONE_DIGITS || phone.chars().count() > MAX_PHONE_CHARS {
            errors.add(
                Field::ContactPhone,
                "Give a phone number with its area code, like +1 407 555 0100, or leave it \
                 empty.",
            );
        }
    }

    let headline = one_line(&form.headline);
    let headline_chars = headline.chars().count();
    if headline.is_empty() {
        errors.add(Field::Headline, "Give your release a headline.");
    } else if headline_chars < MIN_HEADLINE_CHARS {
        errors.add(
            Field::Headline,
            format!(
                "The headline is too short: say what happened in at least {MIN_HEADLINE_CHARS} \
                 characters."
            ),
        );
    } else if headline_chars > MAX_HEADLINE_CHARS {
        errors.add(
            Field::Headline,
            format!(
                "The headline has {headline_chars} characters; keep it to {MAX_HEADLINE_CHARS}."
            ),
        );
    }

    let body = multi_line(&form.body);
    let body_chars = body.chars().count();
    if body.trim().is_empty() {
        errors.add(Field::Body, "Write the text of your release.");
    } else if body_chars < MIN_BODY_CHARS {
        errors.add(
            Field::Body,
            format!(
                "The text is too short: tell readers what happened in at least \
                 {MIN_BODY_CHARS} characters."
            ),
        );
    } else if body_chars > MAX_BODY_CHARS {
        errors.add(
            Field::Body,
            format!(
                "The text has {body_chars} characters; keep it to {MAX_BODY_CHARS} (about \
                 3,000 words)."
            ),
        );
    } else {
        let links = count_links(&body);
        let unsafe_targets = unsafe_link_targets(&body);
        if links > MAX_LINKS {
            errors.add(
                Field::Body,
                format!(
                    "The text has {links} links; at most {MAX_LINKS} are allowed. Keep the \
                     ones readers need most."
                ),
            );
        } else if !unsafe_targets.is_empty() {
            errors.add(
                Field::Body,
                "Links must start with https:// or http://, like [our site](https://example.org).",
            );
        }
    }

    let dateline = optional_line(
        &mut errors,
        Field::Dateline,
        &form.dateline,
        MAX_DATELINE_CHARS,
        "The dateline is the place the news comes from, like \"ORLANDO, Florida\"",
    );
    let event_at = optional_line(
        &mut errors,
        Field::EventAt,
        &form.event_at,
        MAX_EVENT_CHARS,
        "Give the date and time of the event",
    );
    if let Some(at) = &event_at
        && let Some(message) = event_date_problem(at, now)
    {
        errors.add(Field::EventAt, message);
    }
    let event_place = optional_line(
        &mut errors,
        Field::EventPlace,
        &form.event_place,
        MAX_NAME_CHARS,
        "Give the place of the event",
    );
    if kind == Some(ReleaseKind::Event) && event_at.is_none() {
        errors.add(
            Field::EventAt,
            "An event needs its date and time, so readers know when to come.",
        );
    }

    let mut chosen = Vec::new();
    for slug in &form.sites {
        match sites.iter().find(|s| s.slug == slug.trim()) {
            Some(site) if !chosen.contains(&site.id) => chosen.push(site.id),
            Some(_) => {}
            None => {
                errors.add(
                    Field::Sites,
                    "One of the sites chosen is not part of this network: choose again.",
                );
            }
        }
    }
    if chosen.is_empty() {
        errors.add(
            Field::Sites,
            "Choose at least one site to publish your release on.",
        );
    }

    match kind {
        Some(kind) if errors.is_empty() => Ok(NewRelease {
            kind,
            fingerprint: fingerprint(&headline, &body, &contact_email),
            organisation,
            contact_name,
            contact_email,
            contact_phone: (!phone.is_empty()).then_some(phone),
            headline,
            body,
            dateline,
            event_at,
            event_place,
            image: None,
            sites: chosen,
        }),
        _ => Err(errors),
    }
}

/// The same release sent twice (with other spacing, case or line breaks) has the same
/// fingerprint: SHA-256 of the lower-cased, whitespace-collapsed headline, body and address.
pub fn fingerprint(headline: &str, body: &str, email: &str) -> String {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut hash = sha2::Sha256::new();
    for part in [norm(headline), norm(body), norm(email)] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hex::encode(hash.finalize().as_slice())
}

/// NFC, no control characters, whitespace runs made one space, trimmed.
fn one_line(s: &str) -> String {
    masthead_normalize::nfc(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// NFC, no control characters but line breaks, `\r\n` made `\n`, trailing space trimmed.
fn multi_line(s: &str) -> String {
    let s = masthead_normalize::nfc(s)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    s.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

fn required(errors: &mut FieldErrors, field: Field, value: &str, missing: &str, max: usize) {
    let chars = value.chars().count();
    if value.is_empty() {
        errors.add(field, missing);
    } else if chars > max {
        errors.add(
            field,
            format!("This has {chars} characters; keep it to {max}."),
        );
    }
}

fn optional_line(
    errors: &mut FieldErrors,
    field: Field,
    value: &str,
    max: usize,
    what: &str,
) -> Option<String> {
    let value = one_line(value);
    let chars = value.chars().count();
    if chars > max {
        errors.add(
            field,
            format!("{what} in at most {max} characters (this has {chars})."),
        );
    }
    (!value.is_empty()).then_some(value)
}

/// A date the form's date-time input sent that lies more than a day in the past.
fn event_date_problem(at: &str, now: OffsetTime) -> Option<String> {
    let date = at
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())?;
    let today = jiff::tz::TimeZone::UTC.to_datetime(now.timestamp()).date();
    let yesterday = today.yesterday().ok()?;
    (date < yesterday).then(|| {
        "This date has passed: give the date of an event still to come (or leave it out and \
         tell the story in the text)."
            .to_owned()
    })
}

/// A syntax check people can act on (no DNS): one `@`, a dotted domain, no spaces.
fn check_email(address: &str) -> Result<(), &'static str> {
    if address.is_empty() {
        return Err("Give an email address: we send your reference number there.");
    }
    let ok = address.chars().count() <= MAX_EMAIL_CHARS
        && address.split('@').count() == 2
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
                && local
                    .chars()
                    .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
                && domain.contains('.')
                && domain.split('.').all(|label| {
                    !label.is_empty()
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                })
        });
    if ok {
        Ok(())
    } else {
        Err("This does not look like an email address: check it, like name@example.com.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::Section;

    fn sites() -> Vec<Site> {
        ["orlando-echo", "tampa-tide"]
            .iter()
            .enumerate()
            .map(|(i, slug)| Site {
                id: i as i64 + 1,
                slug: (*slug).to_owned(),
                name: slug.to_string(),
                hosts: Vec::new(),
                time_zone: "UTC".to_owned(),
                tagline: String::new(),
                sections: vec![Section {
                    slug: "business".to_owned(),
                    name: "Business".to_owned(),
                }],
            })
            .collect()
    }

    fn now() -> OffsetTime {
        // 2026-11-26T00:00:00Z
        OffsetTime::new(1_795_651_200_000_000, 0).unwrap()
    }

    fn good() -> ReleaseForm {
        ReleaseForm {
            kind: "business".to_owned(),
            organisation: "  Harbor   Bakery ".to_owned(),
            contact_name: "Ana Ruiz".to_owned(),
            contact_email: "Ana@Harbor-Bakery.example".to_owned(),
            contact_phone: "+1 (407) 555-0100".to_owned(),
            headline: "Harbor Bakery opens a second shop downtown".to_owned(),
            body: "Harbor Bakery opens its second shop on Main Street on Monday.\r\n\r\nThe \
                   shop will employ twelve people."
                .to_owned(),
            dateline: "ORLANDO, Florida".to_owned(),
            event_at: String::new(),
            event_place: String::new(),
            sites: vec!["orlando-echo".to_owned()],
        }
    }

    #[test]
    fn a_good_form_validates() {
        let r = validate(&good(), &sites(), now()).unwrap();
        assert_eq!(r.kind, ReleaseKind::Business);
        assert_eq!(r.organisation, "Harbor Bakery");
        assert_eq!(r.contact_email, "ana@harbor-bakery.example");
        assert_eq!(r.contact_phone.as_deref(), Some("+1 (407) 555-0100"));
        assert!(r.body.contains("Monday.\n\nThe shop"));
        assert_eq!(r.sites, [1]);
        assert_eq!(r.fingerprint.len(), 64);
        assert!(r.image.is_none());
    }

    fn error_of(form: ReleaseForm, field: Field) -> String {
        let errors = validate(&form, &sites(), now()).unwrap_err();
        errors
            .get(field)
            .unwrap_or_else(|| panic!("no error for {field:?}: {errors}"))
            .to_owned()
    }

    #[test]
    fn each_field_has_its_message() {
        let f = |edit: fn(&mut ReleaseForm)| {
            let mut form = good();
            edit(&mut form);
            form
        };
        assert!(error_of(f(|f| f.kind = "spam".into()), Field::Kind).contains("kind"));
        assert!(error_of(f(|f| f.organisation.clear()), Field::Organisation).contains("name"));
        assert!(error_of(f(|f| f.contact_name = " ".into()), Field::ContactName).contains("name"));
        assert!(
            error_of(f(|f| f.contact_email = "ana@".into()), Field::ContactEmail).contains("email")
        );
        assert!(
            error_of(
                f(|f| f.contact_email = "a b@x.example".into()),
                Field::ContactEmail
            )
            .contains("email")
        );
        assert!(
            error_of(
                f(|f| f.contact_phone = "call me".into()),
                Field::ContactPhone
            )
            .contains("phone")
        );
        assert!(error_of(f(|f| f.headline = "Short".into()), Field::Headline).contains("short"));
        assert!(error_of(f(|f| f.headline = "x".repeat(201)), Field::Headline).contains("200"));
        assert!(error_of(f(|f| f.body.clear()), Field::Body).contains("text"));
        assert!(error_of(f(|f| f.body = "Too short.".into()), Field::Body).contains("short"));
        assert!(error_of(f(|f| f.body = "word ".repeat(5000)), Field::Body).contains("20000"));
        assert!(error_of(f(|f| f.dateline = "x".repeat(81)), Field::Dateline).contains("80"));
        assert!(
            error_of(
                f(|f| f.event_at = "2020-01-01T10:00".into()),
                Field::EventAt
            )
            .contains("passed")
        );
        assert!(error_of(f(|f| f.kind = "event".into()), Field::EventAt).contains("event"));
        assert!(error_of(f(|f| f.sites.clear()), Field::Sites).contains("at least one"));
        assert!(
            error_of(f(|f| f.sites = vec!["nowhere".into()]), Field::Sites).contains("not part")
        );
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let errors = validate(&ReleaseForm::default(), &sites(), now()).unwrap_err();
        for field in [
            Field::Kind,
            Field::Organisation,
            Field::ContactName,
            Field::ContactEmail,
            Field::Headline,
            Field::Body,
            Field::Sites,
        ] {
            assert!(errors.get(field).is_some(), "{field:?}: {errors}");
        }
        assert!(errors.get(Field::ContactPhone).is_none());
    }

    #[test]
    fn link_limit() {
        let mut form = good();
        form.body = format!(
            "{}\n\nMore at https://a.example, https://b.example, [c](https://c.example), \
             [d](https://d.example), www.e.example",
            form.body
        );
        assert!(validate(&form, &sites(), now()).is_ok(), "five links pass");
        form.body.push_str(" and https://f.example");
        assert!(error_of(form, Field::Body).contains("6 links"));
        let mut js = good();
        js.body = format!("{} [x](javascript:alert(1))", js.body);
        assert!(error_of(js, Field::Body).contains("https://"));
    }

    #[test]
    fn an_event_in_the_future_and_free_text_dates_pass() {
        let mut form = good();
        form.kind = "event".into();
        form.event_at = "2026-12-05T19:00".into();
        form.event_place = "Lake Eola Park".into();
        let r = validate(&form, &sites(), now()).unwrap();
        assert_eq!(r.event_at.as_deref(), Some("2026-12-05T19:00"));
        form.event_at = "Every Saturday morning".into();
        assert!(validate(&form, &sites(), now()).is_ok());
    }

    #[test]
    fn fingerprints_ignore_spacing_and_case() {
        assert_eq!(
            fingerprint("A  Headline", "Body\n\ntext", "A@x.example"),
            fingerprint("a headline", "body text", "a@x.example")
        );
        assert_ne!(
            fingerprint("A headline", "Body", "a@x.example"),
            fingerprint("A headline", "Body", "b@x.example")
        );
    }

    #[test]
    fn sites_are_deduplicated() {
        let mut form = good();
        form.sites = vec![
            "tampa-tide".into(),
            "orlando-echo".into(),
            "tampa-tide".into(),
        ];
        assert_eq!(validate(&form, &sites(), now()).unwrap().sites, [2, 1]);
    }
}
