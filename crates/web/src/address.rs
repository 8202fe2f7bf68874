//! Is this a reasonable email address for a daily email? A syntax check readers can act on,
//! and a refusal of well-known disposable-address services.
//!
//! Input: what the reader typed. Output: the address trimmed and lower-cased, or a problem
//! whose message says what to fix. Deliberately stricter than RFC 5321 (no quoted local
//! parts, no IP-literal domains, no comments): those are legal, rare in sign-up forms, and
//! mostly typos. Never looks anything up (no DNS), never logs the address.

/// RFC 5321's limit on a forward path, less the angle brackets.
const MAX_LEN: usize = 254;
const MAX_LOCAL: usize = 64;

/// Services whose addresses vanish within hours: a daily email would bounce the next day.
/// A domain or any subdomain of it is refused.
const DISPOSABLE: &[&str] = &[
    "10minutemail.com",
    "10minutemail.net",
    "20minutemail.com",
    "discard.email",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getnada.com",
    "grr.la",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.info",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "maildrop.cc",
    "mailinator.com",
    "mailinator.net",
    "mailnesia.com",
    "mintemail.com",
    "mohmal.com",
    "mytemp.email",
    "sharklasers.com",
    "spamgourmet.com",
    "temp-mail.io",
    "temp-mail.org",
    "tempail.com",
    "tempmail.com",
    "tempmail.dev",
    "tempmail.net",
    "tempmailo.com",
    "tempr.email",
    "throwawaymail.com",
    "trashmail.com",
    "trashmail.de",
    "trashmail.net",
    "yopmail.com",
    "yopmail.fr",
    "yopmail.net",
];

/// What is wrong with a typed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AddressProblem {
    Empty,
    TooLong,
    Spaces,
    NoAt,
    ManyAt,
    BadLocal,
    BadDomain,
    /// The disposable service's domain, as typed (lower-cased).
    Disposable(String),
}

impl AddressProblem {
    /// A message shown next to the field.
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "Enter your email address, like name@example.com.".to_owned(),
            Self::TooLong => format!(
                "This is too long for an email address: they have at most {MAX_LEN} characters."
            ),
            Self::Spaces => "An email address has no spaces: check for a stray one.".to_owned(),
            Self::NoAt => "An email address has an @ between the name and the domain, like \
                 name@example.com."
                .to_owned(),
            Self::ManyAt => "An email address has only one @.".to_owned(),
            Self::BadLocal => "The part before the @ does not look right: use letters, digits \
                               and . _ - + only, without two dots in a row or a dot at either \
                               end."
                .to_owned(),
            Self::BadDomain => {
                "The part after the @ should be a domain name, like example.com.".to_owned()
            }
            Self::Disposable(domain) => format!(
                "Addresses at {domain} are disposable and expire before our daily email would \
                 arrive. Please use an address you keep."
            ),
        }
    }
}

/// The address to store (trimmed, lower-cased), or what is wrong with it.
pub(crate) fn check_address(raw: &str) -> Result<String, AddressProblem> {
    let typed = raw.trim();
    if typed.is_empty() {
        return Err(AddressProblem::Empty);
    }
    if typed.chars().count() > MAX_LEN {
        return Err(AddressProblem::TooLong);
    }
    if typed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AddressProblem::Spaces);
    }
    let address = typed.to_lowercase();
    let mut parts = address.split('@');
    let (Some(local), Some(domain)) = (parts.next(), parts.next()) else {
        return Err(AddressProblem::NoAt);
    };
    if parts.next().is_some() {
        return Err(AddressProblem::ManyAt);
    }
    if !local_ok(local) {
        return Err(AddressProblem::BadLocal);
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if !domain_ok(domain) {
        return Err(AddressProblem::BadDomain);
    }
    if let Some(service) = DISPOSABLE
        .iter()
        .find(|d| domain == **d || domain.strip_suffix(**d).is_some_and(|p| p.ends_with('.')))
    {
        return Err(AddressProblem::Disposable((*service).to_owned()));
    }
    Ok(format!("{local}@{domain}"))
}

fn local_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '.' | '_'
                        | '-'
                        | '+'
                        | '!'
                        | '#'
                        | '$'
                        | '%'
                        | '&'
                        | '\''
                        | '*'
                        | '/'
                        | '='
                        | '?'
                        | '^'
                        | '`'
                        | '{'
                        | '|'
                        | '}'
                        | '~'
                )
        })
}

/// Dot-separated labels of letters (any script), digits and inner hyphens, at least two of
/// them, the last (the top-level domain) at least two characters and not all digits.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasonable_addresses_pass_lower_cased() {
        assert_eq!(
            check_address("  Reader@Example.ORG ").unwrap(),
            "reader@example.org"
        );
        assert!(check_address("first.last+news@mail.example.co.uk").is_ok());
        assert!(check_address("o'brien@example.ie").is_ok());
        assert!(
            check_address("zoë@example.org").is_err(),
            "ASCII local parts"
        );
        assert!(check_address("news@bücher.example").is_ok());
        assert_eq!(
            check_address("a@example.com.").unwrap(),
            "a@example.com",
            "a trailing root dot is dropped"
        );
    }

    #[test]
    fn each_problem_is_named() {
        use AddressProblem::*;
        assert_eq!(check_address("   "), Err(Empty));
        assert_eq!(check_address("reader example.org"), Err(Spaces));
        assert_eq!(check_address("reader.example.org"), Err(NoAt));
        assert_eq!(check_address("a@b@example.org"), Err(ManyAt));
        assert_eq!(check_address("@example.org"), Err(BadLocal));
        assert_eq!(check_address("a..b@example.org"), Err(BadLocal));
        assert_eq!(check_address("<a>@example.org"), Err(BadLocal));
        assert_eq!(check_address("reader@localhost"), Err(BadDomain));
        assert_eq!(check_address("reader@"), Err(BadDomain));
        assert_eq!(check_address("reader@-x.example"), Err(BadDomain));
        assert_eq!(check_address("reader@10.0.0.1"), Err(BadDomain));
        assert_eq!(check_address("reader@example..org"), Err(BadDomain));
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(check_address(&long), Err(TooLong));
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert_eq!(check_address(&long_local), Err(BadLocal));
    }

    #[test]
    fn disposable_services_and_their_subdomains_are_refused() {
        assert_eq!(
            check_address("x@Mailinator.com"),
            Err(AddressProblem::Disposable("mailinator.com".to_owned()))
        );
        assert!(matches!(
            check_address("x@eu.yopmail.com"),
            Err(AddressProblem::Disposable(_))
        ));
        assert!(check_address("x@notmailinator.com").is_ok());
        assert!(
            AddressProblem::Disposable("yopmail.com".into())
                .message()
                .contains("yopmail.com")
        );
    }
}
