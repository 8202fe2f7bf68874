//! Article metadata from JSON-LD (`<script type="application/ld+json">`).
//!
//! Input: the script texts of a page. Output: the fields of the first article object
//! (`NewsArticle`, `Article`, `ReportageNews`, `BlogPosting`…), found at the top level, in
//! arrays, in `@graph` or under `mainEntity`. Values come back as strings, unparsed: the caller
//! decides precedence against Open Graph and the page. Broken JSON is skipped, never an error;
//! the search is iterative and bounded, so hostile nesting costs nothing.

use serde_json::{Map, Value};

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "ReportageNews",
    "AnalysisNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "AskPublicNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "Report",
    "TechArticle",
    "ScholarlyArticle",
    "MedicalScholarlyArticle",
    "SatiricalArticle",
];

#[derive(Debug, Default, Clone)]
pub(crate) struct LdImage {
    pub url: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct LdArticle {
    pub headline: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub image: Option<LdImage>,
    pub publisher: Option<String>,
    pub body: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
}

fn is_article(obj: &Map<String, Value>) -> bool {
    let ty = |s: &str| {
        let s = s.rsplit(['/', ':']).next().unwrap_or(s);
        ARTICLE_TYPES.contains(&s)
    };
    match obj.get("@type") {
        Some(Value::String(s)) => ty(s),
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str().is_some_and(ty)),
        _ => false,
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_owned(),
        Value::Array(a) => return a.iter().find_map(|x| string(Some(x))),
        Value::Object(o) => return string(o.get("name").or_else(|| o.get("@value"))),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("www.")
}

fn names(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) => {
            let s = s.trim();
            if !s.is_empty() && !looks_like_url(s) && !out.iter().any(|x| x == s) {
                out.push(s.to_owned());
            }
        }
        Some(Value::Object(o)) => names(o.get("name"), out),
        Some(Value::Array(a)) => {
            for x in a.iter().take(20) {
                names(Some(x), out);
            }
        }
        _ => {}
    }
}

fn image(v: Option<&Value>) -> Option<LdImage> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(LdImage {
            url: Some(s.trim().to_owned()),
            ..LdImage::default()
        }),
        Value::Array(a) => a.iter().find_map(|x| image(Some(x))),
        Value::Object(o) => {
            let url = string(o.get("url").or_else(|| o.get("contentUrl")));
            url.as_ref()?;
            let mut credit_names = Vec::new();
            if let Some(c) = string(o.get("creditText")) {
                credit_names.push(c);
            } else {
                names(o.get("author"), &mut credit_names);
                if credit_names.is_empty() {
                    names(o.get("copyrightHolder"), &mut credit_names);
                }
            }
            Some(LdImage {
                url,
                caption: string(o.get("caption").or_else(|| o.get("description"))),
                credit: (!credit_names.is_empty()).then(|| credit_names.join(", ")),
            })
        }
        _ => None,
    }
}

fn read(obj: &Map<String, Value>) -> LdArticle {
    let mut authors = Vec::new();
    names(obj.get("author"), &mut authors);
    if authors.is_empty() {
        names(obj.get("creator"), &mut authors);
    }
    let url = match obj.get("mainEntityOfPage") {
        Some(Value::Object(o)) => string(o.get("@id").or_else(|| o.get("url"))),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
    .or_else(|| string(obj.get("url")));
    LdArticle {
        headline: string(obj.get("headline")),
        name: string(obj.get("name")),
        description: string(obj.get("description")),
        authors,
        published: string(obj.get("datePublished").or_else(|| obj.get("dateCreated"))),
        modified: string(obj.get("dateModified")),
        image: image(obj.get("image").or_else(|| obj.get("thumbnailUrl"))),
        publisher: match obj.get("publisher") {
            Some(Value::Object(o)) => string(o.get("name")),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
        body: string(obj.get("articleBody")),
        language: string(obj.get("inLanguage")),
        url: url.filter(|u| looks_like_url(u) || u.starts_with('/')),
    }
}

/// The first article object in the page's JSON-LD scripts.
pub(crate) fn article<'a>(scripts: impl IntoIterator<Item = &'a str>) -> Option<LdArticle> {
    for script in scripts {
        let text = script
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim();
        let text = text
            .strip_prefix("//<![CDATA[")
            .and_then(|t| t.strip_suffix("//]]>"))
            .unwrap_or(text);
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let mut stack: Vec<&Value> = vec![&value];
        let mut visited = 0usize;
        while let Some(v) = stack.pop() {
            visited += 1;
            if visited > 10_000 {
                break;
            }
            match v {
                Value::Array(a) => stack.extend(a.iter().rev()),
                Value::Object(o) => {
                    if is_article(o) {
                        return Some(read(o));
                    }
                    for k in ["@graph", "mainEntity", "itemListElement"] {
                        if let Some(x) = o.get(k) {
                            stack.push(x);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_and_arrays() {
        let s = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Echo"},
            {"@type":["NewsArticle"],"headline":"H","author":[{"@type":"Person","name":"A B"},{"name":"C D"}],
             "datePublished":"2025-04-12T04:01:00+10:00","image":{"@type":"ImageObject","url":"https://x/i.jpg","creditText":"Reuters"},
             "publisher":{"name":"Echo"}}]}"#;
        let a = article([s]).unwrap();
        assert_eq!(a.headline.as_deref(), Some("H"));
        assert_eq!(a.authors, vec!["A B", "C D"]);
        assert_eq!(a.image.unwrap().credit.as_deref(), Some("Reuters"));
        assert_eq!(a.publisher.as_deref(), Some("Echo"));
    }

    #[test]
    fn broken_json_is_skipped() {
        assert!(article(["{not json", "[]", ""]).is_none());
        let deep = "[".repeat(100_000);
        assert!(article([deep.as_str()]).is_none());
    }
}
