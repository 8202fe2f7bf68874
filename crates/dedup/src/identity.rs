//! Story identity: GUID, else canonical URL, else content hash.
//!
//! Input: what a feed says about a story (GUID, link, headline, text). Output: a key that stays
//! the same when the same story is delivered again with tracking parameters, an AMP link, a
//! different scheme or host case. It never fetches a URL or follows a `rel=canonical`: that is
//! `extract`'s job, and its result can be passed in as the URL.
//!
//! `www.` is kept: `www.example.com` and `example.com` are usually one site, but not always
//! (`www.bbc.com` and `bbc.com` differ in places, and a network may carry two sites that differ
//! only there). Merging them wrongly would hide a story; not merging only costs a near-duplicate
//! comparison, which catches the re-post anyway.

use url::Url;

/// Query parameters that only say where a click came from; compared case-insensitively.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "igsh",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "yclid",
    "spm",
    "scm",
    "ocid",
    "cmpid",
    "cmp",
    "icid",
    "ncid",
    "smid",
    "smtyp",
    "s_cid",
    "xtor",
    "ito",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "ref_src",
    "ref_url",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
    "__twitter_impression",
    "at_medium",
    "at_campaign",
    "at_source",
    "ns_mchannel",
    "ns_source",
    "ns_campaign",
    "ns_linkname",
    "ns_fee",
    "sr_share",
    "share_id",
    "fromrss",
    "rss",
    "amp",
    "outputtype",
];

/// Parameter-name prefixes that are always tracking (`utm_source`, `utm_medium`, …).
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_", "hsa_"];

/// Values of `ref` that name a referrer rather than a resource (`?ref=rss`, `?ref=hp`).
const REF_VALUES: &[&str] = &[
    "rss",
    "feed",
    "feedly",
    "hp",
    "homepage",
    "home",
    "nav",
    "menu",
    "twitter",
    "tw",
    "x",
    "facebook",
    "fb",
    "linkedin",
    "reddit",
    "hn",
    "google",
    "newsletter",
    "email",
    "mail",
    "social",
    "share",
    "sharing",
    "app",
    "push",
    "related",
    "sidebar",
    "footer",
    "header",
    "topnav",
    "flipboard",
    "msn",
    "yahoo",
    "apple_news",
];

fn is_tracking(key: &str, value: &str) -> bool {
    let key = key.to_ascii_lowercase();
    if TRACKING_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return true;
    }
    if key == "amp" || key == "outputtype" {
        // `?amp=1`, `?amp`, `?outputType=amp`: the AMP rendering of the same page.
        let v = value.to_ascii_lowercase();
        return key == "amp" || v == "amp";
    }
    if TRACKING_PARAMS.contains(&key.as_str()) {
        return true;
    }
    if key == "ref" {
        // `?ref=main` on a code host is a resource; `?ref=rss`, `?ref=t.co` is a referrer.
        let v = value.to_ascii_lowercase();
        return REF_VALUES.contains(&v.as_str())
            || v.contains('.')
            || v.starts_with("tw")
            || v.starts_with("fb");
    }
    false
}

/// Path without AMP markers: `/amp/` segment dropped, trailing `/amp` dropped, `.amp.html` →
/// `.html`, `.amp` suffix dropped; trailing slash dropped except for the root.
fn canonical_path(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("amp"))
        .collect();
    let mut out = String::with_capacity(path.len());
    for seg in &segments {
        out.push('/');
        let lower = seg.to_ascii_lowercase();
        if let Some(stem) = lower.strip_suffix(".amp.html") {
            // Keep the original case of the stem: only the suffix is ASCII, so the byte
            // length of the stem is the same in both spellings.
            let stem_len = stem.len();
            out.push_str(seg.get(..stem_len).unwrap_or(seg));
            out.push_str(".html");
        } else if lower.ends_with(".amp") && seg.len() > 4 {
            out.push_str(seg.get(..seg.len() - 4).unwrap_or(seg));
        } else {
            out.push_str(seg);
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// A story URL reduced to the form every copy of its link shares.
///
/// Rules, in order: only `http`/`https` (both become `https`: one page served both ways is one
/// story); user and password dropped; host lower-cased, trailing dot and an `amp.` prefix
/// removed (`www.` is kept, see the module notes); default ports dropped; the AMP path forms
/// `/amp/…`, `…/amp`, `….amp.html`, `….amp` reduced to the page's own path; trailing slash
/// removed except on the root; tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref=rss`, …)
/// and `amp=1` removed; the remaining parameters sorted; the fragment dropped.
/// Returns `None` for anything that is not an absolute `http(s)` URL with a host.
pub fn canonical_url(url: &str) -> Option<String> {
    let mut u = Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    let host = match host.strip_prefix("amp.") {
        Some(rest) if rest.contains('.') => rest.to_owned(),
        _ => host,
    };
    if host.is_empty() {
        return None;
    }
    let port = u.port().filter(|p| *p != 80 && *p != 443);
    let path = canonical_path(u.path());
    let mut params: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, v)| !k.is_empty() && !is_tracking(k, v))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    params.dedup();

    u.set_fragment(None);
    u.set_query(None);
    // Both calls only fail on URLs that cannot have credentials (no host); ours has one.
    u.set_username("").ok()?;
    u.set_password(None).ok()?;
    u.set_scheme("https").ok()?;
    u.set_host(Some(&host)).ok()?;
    u.set_port(port).ok()?;
    u.set_path(&path);
    if !params.is_empty() {
        u.query_pairs_mut().extend_pairs(params);
    }
    Some(u.into())
}

/// The key under which a story is stored once per source.
///
/// The source's GUID when it has one (a GUID that is itself an `http(s)` URL is canonicalized,
/// so a permalink GUID with tracking parameters stays one story), else the canonical URL, else
/// `hash:` and [`masthead_normalize::content_hash`] of headline and text. Blank values count as
/// missing. Scope it by source (the store's unique key is source + identity): two sources
/// may use the same GUID for different stories.
pub fn identity_key(guid: Option<&str>, url: Option<&str>, headline: &str, text: &str) -> String {
    if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        let looks_like_url = g.len() > 8
            && (g
                .get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("http://"))
                || g.get(..8)
                    .is_some_and(|p| p.eq_ignore_ascii_case("https://")));
        if looks_like_url && let Some(c) = canonical_url(g) {
            return c;
        }
        return g.to_owned();
    }
    if let Some(c) = url.and_then(canonical_url) {
        return c;
    }
    format!("hash:{}", masthead_normalize::content_hash(headline, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(u: &str) -> String {
        canonical_url(u).unwrap_or_else(|| panic!("{u} should canonicalize"))
    }

    #[test]
    fn scheme_and_host_case() {
        assert_eq!(
            canon("HTTPS://News.Example.COM/a"),
            "https://news.example.com/a"
        );
        assert_eq!(canon("http://example.com/a"), "https://example.com/a");
        assert_eq!(canon("https://example.com./a"), "https://example.com/a");
        // Path case is the site's business.
        assert_eq!(
            canon("https://example.com/World/A"),
            "https://example.com/World/A"
        );
    }

    #[test]
    fn default_ports() {
        assert_eq!(canon("http://example.com:80/a"), "https://example.com/a");
        assert_eq!(canon("https://example.com:443/a"), "https://example.com/a");
        assert_eq!(canon("http://example.com:443/a"), "https://example.com/a");
        assert_eq!(
            canon("https://example.com:8080/a"),
            "https://example.com:8080/a"
        );
    }

    #[test]
    fn trailing_slashes_but_not_root() {
        assert_eq!(canon("https://example.com/a/b/"), "https://example.com/a/b");
        assert_eq!(
            canon("https://example.com/a//b//"),
            "https://example.com/a/b"
        );
        assert_eq!(canon("https://example.com/"), "https://example.com/");
        assert_eq!(canon("https://example.com"), "https://example.com/");
    }

    #[test]
    fn fragments() {
        assert_eq!(
            canon("https://example.com/a#comments"),
            "https://example.com/a"
        );
        assert_eq!(
            canon("https://example.com/a?x=1#top"),
            "https://example.com/a?x=1"
        );
    }

    #[test]
    fn tracking_parameters() {
        let u = "https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x&fbclid=1\
                 &gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&_ga=8&yclid=9&spm=10\
                 &ref_src=twsrc%5Etfw&id=42";
        assert_eq!(canon(u), "https://example.com/a?id=42");
        assert_eq!(
            canon("https://example.com/a?utm_source=x"),
            "https://example.com/a"
        );
        assert_eq!(canon("https://example.com/a?"), "https://example.com/a");
    }

    #[test]
    fn ref_only_when_tracking_like() {
        assert_eq!(
            canon("https://example.com/a?ref=rss"),
            "https://example.com/a"
        );
        assert_eq!(
            canon("https://example.com/a?ref=HP"),
            "https://example.com/a"
        );
        assert_eq!(
            canon("https://example.com/a?ref=t.co"),
            "https://example.com/a"
        );
        assert_eq!(
            canon("https://example.com/a?ref=v2"),
            "https://example.com/a?ref=v2"
        );
    }

    #[test]
    fn remaining_parameters_sorted() {
        assert_eq!(
            canon("https://example.com/a?b=2&a=1&c=3&utm_term=z"),
            "https://example.com/a?a=1&b=2&c=3"
        );
        assert_eq!(
            canon("https://example.com/a?a=2&a=1"),
            canon("https://example.com/a?a=1&a=2")
        );
    }

    #[test]
    fn amp_variants() {
        let plain = "https://news.example.com/world/story-1";
        assert_eq!(canon("https://news.example.com/amp/world/story-1"), plain);
        assert_eq!(canon("https://news.example.com/world/story-1/amp"), plain);
        assert_eq!(canon("https://news.example.com/world/story-1/amp/"), plain);
        assert_eq!(canon("https://news.example.com/world/story-1?amp=1"), plain);
        assert_eq!(canon("https://news.example.com/world/story-1?amp"), plain);
        assert_eq!(
            canon("https://news.example.com/world/story-1?outputType=amp"),
            plain
        );
        assert_eq!(canon("https://amp.news.example.com/world/story-1"), plain);
        assert_eq!(
            canon("https://example.com/world/story-1.amp"),
            "https://example.com/world/story-1"
        );
        assert_eq!(
            canon("https://example.com/world/Story-1.amp.html"),
            "https://example.com/world/Story-1.html"
        );
        // `amp.com` itself is a host, not an AMP prefix.
        assert_eq!(canon("https://amp.com/a"), "https://amp.com/a");
    }

    #[test]
    fn www_is_kept() {
        assert_eq!(
            canon("https://www.example.com/a"),
            "https://www.example.com/a"
        );
        assert_ne!(
            canon("https://www.example.com/a"),
            canon("https://example.com/a")
        );
    }

    #[test]
    fn credentials_dropped() {
        assert_eq!(
            canon("https://user:pw@example.com/a"),
            "https://example.com/a"
        );
    }

    #[test]
    fn not_story_urls() {
        for u in [
            "",
            "   ",
            "/relative/path",
            "mailto:desk@example.com",
            "ftp://example.com/a",
            "javascript:alert(1)",
            "https://",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert_eq!(canonical_url(u), None, "{u}");
        }
    }

    #[test]
    fn unicode_and_odd_input_never_panics() {
        assert_eq!(
            canon("https://ПРИМЕР.рф/Новости/"),
            "https://xn--e1afmkfd.xn--p1ai/%D0%9D%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
        );
        let _ = canonical_url("https://example.com/ü.AMP.HTML");
        let _ = canonical_url("https://example.com/.amp");
        let _ = canonical_url("https://[::1]:443/a?ref=");
        let _ = canonical_url("http://amp./a");
    }

    #[test]
    fn identity_prefers_guid_then_url_then_hash() {
        assert_eq!(
            identity_key(
                Some(" tag:wire,2025:123 "),
                Some("https://example.com/a"),
                "H",
                "T"
            ),
            "tag:wire,2025:123"
        );
        assert_eq!(
            identity_key(
                Some("https://Example.com/a/?utm_source=rss"),
                None,
                "H",
                "T"
            ),
            "https://example.com/a"
        );
        assert_eq!(
            identity_key(
                Some("  "),
                Some("http://example.com/a/?fbclid=x#c"),
                "H",
                "T"
            ),
            "https://example.com/a"
        );
        assert_eq!(
            identity_key(None, Some("not a url"), "H", "T"),
            format!("hash:{}", masthead_normalize::content_hash("H", "T"))
        );
        assert_eq!(
            identity_key(None, None, "H", "T"),
            identity_key(Some(""), Some(""), "H", "T")
        );
        assert_ne!(
            identity_key(None, None, "H", "T"),
            identity_key(None, None, "H", "T2")
        );
    }
}
