//! Opaque page cursors: base64url (no padding) of a small JSON object.
//!
//! Input: where the previous page ended. Output: the `next_cursor` string, and back. A cursor
//! is opaque to clients: its content may change between releases (old ones then answer 400).
//! - stories of a site: the offset where the next page starts plus the (published, id) of
//!   the last story shown. The store pages by offset; the API re-reads a little before that
//!   offset and skips everything at or before the last story shown, so stories that arrive
//!   or are killed while a client walks the pages cause neither repeats nor gaps (see
//!   `stories`).
//! - search: the offset of the next hit (results are ranked, so there is no key to continue
//!   from; a new matching story may shift a hit to the next page).
//! - subscribers: the last subscriber id shown.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};

use super::problem::ApiError;

/// Real cursors are under 100 characters; longer input is refused unread.
const MAX_CURSOR_CHARS: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", deny_unknown_fields)]
pub(crate) enum Cursor {
    #[serde(rename = "stories")]
    Stories {
        /// Offset of the next story.
        o: i64,
        /// Published time (unix µs) of the last story shown.
        p: i64,
        /// Id of the last story shown.
        i: i64,
    },
    #[serde(rename = "search")]
    Search { o: i64 },
    #[serde(rename = "subscribers")]
    Subscribers { a: i64 },
}

impl Cursor {
    pub fn encode(self) -> String {
        // Serializing three integers cannot fail; an empty cursor would only restart paging.
        let json = serde_json::to_vec(&self).unwrap_or_default();
        Base64UrlUnpadded::encode_string(&json)
    }

    pub fn decode(raw: &str) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::bad_request(
                "cursor is not valid: pass the next_cursor of the previous page unchanged.",
            )
        };
        if raw.len() > MAX_CURSOR_CHARS {
            return Err(bad());
        }
        let bytes = Base64UrlUnpadded::decode_vec(raw).map_err(|_| bad())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let valid = match cursor {
            Self::Stories { o, .. } | Self::Search { o } => o >= 0,
            Self::Subscribers { a } => a >= 0,
        };
        if valid { Ok(cursor) } else { Err(bad()) }
    }

    /// Decodes an optional cursor that must be of one kind (`pick` returns None otherwise).
    pub fn expect<T>(
        raw: Option<&str>,
        pick: impl FnOnce(Self) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match raw {
            None => Ok(None),
            Some(raw) => pick(Self::decode(raw)?).map(Some).ok_or_else(|| {
                ApiError::bad_request("cursor belongs to another listing: pass the next_cursor this listing returned.")
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor::Stories {
            o: 40,
            p: 1_744_394_460_000_000,
            i: 7,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not a cursor!").is_err());
        assert!(Cursor::decode("e30").is_err()); // {}
        let negative = Cursor::Search { o: -1 }.encode();
        assert!(Cursor::decode(&negative).is_err());
        assert!(Cursor::decode(&"A".repeat(600)).is_err());
    }
}
