//! The parts of a JSON Feed that feed-rs does not keep.
//!
//! Input: the JSON Feed document's bytes.
//! Output: the document made acceptable to feed-rs (numeric ids as strings, a missing title
//! as ""), plus per item, in document order: `summary`, `content_html`, `content_text`,
//! `image`, `banner_image` and our `_masthead` extension.
//! Never decides what an entry shows: `adapter` does that with both views at hand.

use serde_json::{Map, Value};

/// One item's fields as the document states them (None when absent or not a string).
#[derive(Debug, Default)]
pub(crate) struct RawItem {
    pub id: Option<String>,
    pub summary: Option<String>,
    pub content_html: Option<String>,
    pub content_text: Option<String>,
    pub image: Option<String>,
    pub banner_image: Option<String>,
    pub image_credit: Option<String>,
    pub image_caption: Option<String>,
    pub dateline: Option<String>,
}

pub(crate) struct Prepared {
    pub bytes: Vec<u8>,
    pub items: Vec<RawItem>,
}

pub(crate) fn prepare(bytes: &[u8]) -> Result<Prepared, String> {
    let mut doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let feed = doc
        .as_object_mut()
        .ok_or_else(|| "JSON is not an object".to_owned())?;
    // feed-rs refuses a feed without a title, which JSON Feed requires but publishers forget;
    // an untitled feed still carries good entries.
    if !feed.get("title").is_some_and(Value::is_string) {
        feed.insert("title".to_owned(), Value::String(String::new()));
    }
    let mut items = Vec::new();
    if let Some(Value::Array(list)) = feed.get_mut("items") {
        for item in list.iter_mut() {
            if let Value::Object(item) = item {
                // JSON Feed 1.1 allows a number where an id is expected; feed-rs wants a string.
                if let Some(Value::Number(n)) = item.get("id") {
                    let id = n.to_string();
                    item.insert("id".to_owned(), Value::String(id));
                }
                items.push(raw_item(item));
            } else {
                items.push(RawItem::default());
            }
        }
    }
    let bytes = serde_json::to_vec(&doc).map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(Prepared { bytes, items })
}

fn raw_item(item: &Map<String, Value>) -> RawItem {
    let text = |map: &Map<String, Value>, key: &str| {
        map.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let extension = item.get("_masthead").and_then(Value::as_object);
    RawItem {
        id: text(item, "id"),
        summary: text(item, "summary"),
        content_html: text(item, "content_html"),
        content_text: text(item, "content_text"),
        image: text(item, "image"),
        banner_image: text(item, "banner_image"),
        image_credit: extension.and_then(|e| text(e, "image_credit")),
        image_caption: extension.and_then(|e| text(e, "image_caption")),
        dateline: extension.and_then(|e| text(e, "dateline")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_and_missing_titles_are_mended() {
        let doc = br#"{"version":"https://jsonfeed.org/version/1.1","items":[
            {"id":42,"_masthead":{"dateline":" KYIV, Ukraine ","image_credit":7}},"junk"]}"#;
        let prepared = prepare(doc).unwrap();
        let value: Value = serde_json::from_slice(&prepared.bytes).unwrap();
        assert_eq!(value["title"], "");
        assert_eq!(value["items"][0]["id"], "42");
        assert_eq!(prepared.items.len(), 2);
        let first = prepared.items.first().unwrap();
        assert_eq!(first.id.as_deref(), Some("42"));
        assert_eq!(first.dateline.as_deref(), Some("KYIV, Ukraine"));
        assert_eq!(first.image_credit, None);
    }

    #[test]
    fn not_an_object_is_an_error() {
        assert!(prepare(b"[1,2]").is_err());
        assert!(prepare(b"{").is_err());
    }
}
