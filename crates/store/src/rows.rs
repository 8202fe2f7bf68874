//! Rows as both backends read them, and their mapping to `masthead-model` values; also the
//! values a story is written with, derived once from a [`NewStory`].
//!
//! Input: decoded rows (the same column names and Rust types on SQLite and PostgreSQL;
//! PostgreSQL selects `categories::text` so both hand over JSON text). Output: model values.
//! Never runs a query: the SQL lives in `sqlite/` and `postgres/`.

use masthead_model::{
    FullTextPolicy, Kill, LeadImage, NewStory, OffsetTime, Placement, Revision, Section, Site,
    Source, SourceHealth, Story, StorySummary,
};
use sqlx::FromRow;

use crate::text::{lead_of, slug_of};
use crate::{Result, StoreError};

/// Maps a driver error to the crate's error, naming the operation.
pub(crate) fn query_err(op: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { op, source }
}

/// A story with no listed limit (0 or negative) gets this many rows.
pub(crate) const DEFAULT_LIMIT: i64 = 50;

pub(crate) fn limit_or_default(limit: i64) -> i64 {
    if limit <= 0 { DEFAULT_LIMIT } else { limit }
}

#[derive(Debug, FromRow)]
pub(crate) struct SiteRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub tagline: String,
}

#[derive(Debug, FromRow)]
pub(crate) struct HostRow {
    pub site_id: i64,
    pub host: String,
}

/// Read ordered by site, then position.
#[derive(Debug, FromRow)]
pub(crate) struct SectionRow {
    pub site_id: i64,
    pub slug: String,
    pub name: String,
}

/// Puts sites together from their three tables; hosts and sections keep the order read.
pub(crate) fn assemble_sites(
    sites: Vec<SiteRow>,
    hosts: Vec<HostRow>,
    sections: Vec<SectionRow>,
) -> Vec<Site> {
    sites
        .into_iter()
        .map(|row| Site {
            id: row.id,
            hosts: hosts
                .iter()
                .filter(|h| h.site_id == row.id)
                .map(|h| h.host.clone())
                .collect(),
            sections: sections
                .iter()
                .filter(|s| s.site_id == row.id)
                .map(|s| Section {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                })
                .collect(),
            slug: row.slug,
            name: row.name,
            time_zone: row.time_zone,
            tagline: row.tagline,
        })
        .collect()
}

/// Hosts as stored: lower-case, trimmed, each once, in the given order.
pub(crate) fn clean_hosts(hosts: &[String]) -> Vec<String> {
    let mut clean: Vec<String> = Vec::with_capacity(hosts.len());
    for host in hosts {
        let host = host.trim().to_ascii_lowercase();
        if !host.is_empty() && !clean.contains(&host) {
            clean.push(host);
        }
    }
    clean
}

/// Refuses a site whose sections name one slug twice (pages could not tell them apart).
pub(crate) fn check_sections(site: &str, sections: &[Section]) -> Result<()> {
    for (i, section) in sections.iter().enumerate() {
        if sections
            .iter()
            .take(i)
            .any(|earlier| earlier.slug == section.slug)
        {
            return Err(StoreError::DuplicateSection {
                site: site.to_owned(),
                section: section.slug.clone(),
            });
        }
    }
    Ok(())
}

/// Section positions fit in a 32-bit column; a site never has billions of sections.
pub(crate) fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The columns a [`SourceRow`] is read from, for `concat!` into both backends' queries (sqlx
/// takes `&'static str` SQL, so a macro rather than a `format!`).
macro_rules! source_columns {
    () => {
        "id, name, url, section, dateline, full_text, interval_secs, last_success_at, \
         last_error, last_error_at, consecutive_failures, paused, next_poll_at, etag, \
         last_modified"
    };
}
pub(crate) use source_columns;

/// The condition, for `concat!` after a listing's `WHERE`, that keeps a placement `p` of a
/// story `s` only when the story is not killed and is its cluster's representative there:
/// the pinned member if that one is placed there and not killed, else the earliest
/// (`published_at`, then id) non-killed member placed there. `$placed_in` narrows "there"
/// (a placement `q` on the same site) to the same section. Backend-neutral: no parameters.
macro_rules! representative_only {
    ($placed_in:literal) => {
        concat!(
            " AND s.killed_at IS NULL
              AND (EXISTS (SELECT 1 FROM cluster_pins cp
                           WHERE cp.cluster_id = s.cluster_id AND cp.story_id = s.id)
                   OR (NOT EXISTS (
                           SELECT 1 FROM cluster_pins cp
                           JOIN stories ps ON ps.id = cp.story_id
                           JOIN placements q ON q.story_id = ps.id AND q.site_id = p.site_id",
            $placed_in,
            " WHERE cp.cluster_id = s.cluster_id AND ps.cluster_id = cp.cluster_id
                             AND ps.killed_at IS NULL)
                       AND NOT EXISTS (
                           SELECT 1 FROM stories e
                           JOIN placements q ON q.story_id = e.id AND q.site_id = p.site_id",
            $placed_in,
            " WHERE e.cluster_id = s.cluster_id AND e.killed_at IS NULL
                             AND (e.published_at < s.published_at
                                  OR (e.published_at = s.published_at AND e.id < s.id)))))"
        )
    };
}
pub(crate) use representative_only;

#[derive(Debug, FromRow)]
pub(crate) struct SourceRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub section: Option<String>,
    pub dateline: Option<String>,
    pub full_text: String,
    pub interval_secs: i64,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub consecutive_failures: i32,
    pub paused: bool,
    pub next_poll_at: Option<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Poll times are instants on the polling node's clock, stored as Unix microseconds without an
/// offset (unlike a story's times, no source chose one): they read back in UTC.
fn utc(unix_micros: i64) -> OffsetTime {
    offset_time(unix_micros, 0)
}

impl TryFrom<SourceRow> for Source {
    type Error = StoreError;

    fn try_from(row: SourceRow) -> Result<Self> {
        let full_text =
            FullTextPolicy::parse(&row.full_text).ok_or_else(|| StoreError::Corrupt {
                what: "source full_text policy",
                detail: format!("source {:?} has {:?}", row.name, row.full_text),
            })?;
        Ok(Source {
            id: row.id,
            name: row.name,
            url: row.url,
            section: row.section,
            dateline: row.dateline,
            full_text,
            interval_secs: row.interval_secs,
            health: SourceHealth {
                last_success_at: row.last_success_at.map(utc),
                last_error: row.last_error,
                last_error_at: row.last_error_at.map(utc),
                consecutive_failures: row.consecutive_failures,
                paused: row.paused,
                next_poll_at: row.next_poll_at.map(utc),
                etag: row.etag,
                last_modified: row.last_modified,
            },
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct StoryRow {
    pub id: i64,
    pub cluster_id: i64,
    pub slug: String,
    pub source_id: i64,
    pub source_name: String,
    pub guid: String,
    pub url: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub byline: Option<String>,
    pub dateline: Option<String>,
    pub published_at: i64,
    pub published_offset: i32,
    pub updated_at: Option<i64>,
    pub updated_offset: Option<i32>,
    pub content_html: String,
    pub text: String,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub image_alt: Option<String>,
    /// JSON array of strings.
    pub categories: String,
    pub content_hash: String,
    pub killed_at: Option<i64>,
    pub killed_offset: Option<i32>,
    pub killed_reason: Option<String>,
    pub killed_by: Option<String>,
}

/// Times are read back as stored: `OffsetTime` itself falls back safely on a bad value, and a
/// page should not fail because one story carries an odd date.
fn offset_time(unix_micros: i64, offset_seconds: i32) -> OffsetTime {
    OffsetTime {
        unix_micros,
        offset_seconds,
    }
}

fn image(
    url: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    alt: Option<String>,
) -> Option<LeadImage> {
    url.map(|url| LeadImage {
        url,
        caption,
        credit,
        alt,
    })
}

impl TryFrom<StoryRow> for Story {
    type Error = StoreError;

    fn try_from(row: StoryRow) -> Result<Self> {
        let categories: Vec<String> =
            serde_json::from_str(&row.categories).map_err(|e| StoreError::Corrupt {
                what: "story categories",
                detail: format!("story {}: {e}", row.id),
            })?;
        Ok(Story {
            id: row.id,
            cluster: row.cluster_id,
            slug: row.slug,
            source_id: row.source_id,
            source_name: row.source_name,
            guid: row.guid,
            url: row.url,
            headline: row.headline,
            standfirst: row.standfirst,
            byline: row.byline,
            dateline: row.dateline,
            published: offset_time(row.published_at, row.published_offset),
            updated: row
                .updated_at
                .map(|at| offset_time(at, row.updated_offset.unwrap_or(0))),
            content_html: row.content_html,
            text: row.text,
            image: image(
                row.image_url,
                row.image_caption,
                row.image_credit,
                row.image_alt,
            ),
            categories,
            content_hash: row.content_hash,
            killed: row.killed_at.map(|at| Kill {
                at: offset_time(at, row.killed_offset.unwrap_or(0)),
                reason: row.killed_reason.unwrap_or_default(),
                by: row.killed_by.unwrap_or_default(),
            }),
        })
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct SummaryRow {
    pub id: i64,
    pub cluster_id: i64,
    pub slug: String,
    pub source_name: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub dateline: Option<String>,
    pub lead: String,
    pub published_at: i64,
    pub published_offset: i32,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub image_alt: Option<String>,
    pub section: String,
}

impl From<SummaryRow> for StorySummary {
    fn from(row: SummaryRow) -> Self {
        StorySummary {
            id: row.id,
            cluster: row.cluster_id,
            slug: row.slug,
            source_name: row.source_name,
            headline: row.headline,
            standfirst: row.standfirst,
            dateline: row.dateline,
            lead: row.lead,
            published: offset_time(row.published_at, row.published_offset),
            image: image(
                row.image_url,
                row.image_caption,
                row.image_credit,
                row.image_alt,
            ),
            section: row.section,
        }
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct PlacementRow {
    pub story_id: i64,
    pub site_id: i64,
    pub section: String,
}

impl From<PlacementRow> for Placement {
    fn from(row: PlacementRow) -> Self {
        Placement {
            story_id: row.story_id,
            site_id: row.site_id,
            section: row.section,
        }
    }
}

/// Identity and content hash of a stored story, read before deciding what `put_story` does.
#[derive(Debug, FromRow)]
pub(crate) struct KnownStory {
    pub id: i64,
    pub content_hash: String,
    /// A killed story is never brought back by a later delivery.
    pub killed: bool,
    /// Kept through updates: an update tells its time apart from the first publication.
    pub published_at: i64,
}

/// When an update of a story known as `known` happened: the source's update time, else its
/// publish time when that moved (a correction of the first one, which the story keeps), else
/// `now` in UTC.
pub(crate) fn update_time(known: &KnownStory, story: &NewStory, now: i64) -> OffsetTime {
    match story.updated {
        Some(updated) => updated,
        None if story.published.unix_micros != known.published_at => story.published,
        None => offset_time(now, 0),
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct RevisionRow {
    pub number: i32,
    pub headline: String,
    pub standfirst: Option<String>,
    pub text: String,
    pub content_html: String,
    pub replaced_at: i64,
    pub replaced_offset: i32,
}

impl From<RevisionRow> for Revision {
    fn from(row: RevisionRow) -> Self {
        Revision {
            number: row.number,
            headline: row.headline,
            standfirst: row.standfirst,
            text: row.text,
            content_html: row.content_html,
            replaced_at: offset_time(row.replaced_at, row.replaced_offset),
        }
    }
}

/// What a [`NewStory`] is written as, beyond its own fields: derived once so both backends
/// store the same values.
pub(crate) struct StoryValues<'a> {
    pub story: &'a NewStory,
    /// Used at insert only: a story keeps its first slug through updates.
    pub slug: String,
    pub lead: String,
    pub categories: String,
    pub image_url: Option<&'a str>,
    pub image_caption: Option<&'a str>,
    pub image_credit: Option<&'a str>,
    pub image_alt: Option<&'a str>,
    pub updated_at: Option<i64>,
    pub updated_offset: Option<i32>,
}

impl<'a> StoryValues<'a> {
    pub fn new(story: &'a NewStory) -> Result<Self> {
        let categories =
            serde_json::to_string(&story.categories).map_err(|e| StoreError::Corrupt {
                what: "story categories",
                detail: format!("story {:?}: {e}", story.guid),
            })?;
        let image = story.image.as_ref();
        Ok(Self {
            story,
            slug: slug_of(&story.headline),
            lead: lead_of(&story.text),
            categories,
            image_url: image.map(|i| i.url.as_str()),
            image_caption: image.and_then(|i| i.caption.as_deref()),
            image_credit: image.and_then(|i| i.credit.as_deref()),
            image_alt: image.and_then(|i| i.alt.as_deref()),
            updated_at: story.updated.map(|t| t.unix_micros),
            updated_offset: story.updated.map(|t| t.offset_seconds),
        })
    }
}

/// Wall-clock now in Unix microseconds, for `created_at`.
pub(crate) fn now_micros() -> i64 {
    OffsetTime::now_utc().unix_micros
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_lower_case_and_unique() {
        let hosts = vec![
            "Echo.Example".to_owned(),
            " echo.example ".to_owned(),
            "www.echo.example".to_owned(),
            String::new(),
        ];
        assert_eq!(clean_hosts(&hosts), ["echo.example", "www.echo.example"]);
    }

    #[test]
    fn a_section_named_twice_is_refused() {
        let section = |slug: &str| Section {
            slug: slug.to_owned(),
            name: slug.to_owned(),
        };
        assert!(check_sections("s", &[section("a"), section("b")]).is_ok());
        assert!(matches!(
            check_sections("s", &[section("a"), section("b"), section("a")]),
            Err(StoreError::DuplicateSection { section, .. }) if section == "a"
        ));
    }
}

#[derive(Debug, FromRow)]
pub(crate) struct WebSubRow {
    source_id: i64,
    hub: String,
    topic: String,
    secret: String,
    token: String,
    state: String,
    lease_until: Option<i64>,
}

impl TryFrom<WebSubRow> for masthead_model::WebSubSubscription {
    type Error = StoreError;

    fn try_from(row: WebSubRow) -> Result<Self> {
        Ok(Self {
            source_id: row.source_id,
            hub: row.hub,
            topic: row.topic,
            secret: row.secret,
            token: row.token,
            state: masthead_model::WebSubState::parse(&row.state).ok_or_else(|| {
                StoreError::Corrupt {
                    what: "websub state",
                    detail: row.state.clone(),
                }
            })?,
            lease_until: row.lease_until,
        })
    }
}

/// The columns a [`SubscriberRow`] is read from, for `concat!` into both backends' queries.
/// PostgreSQL keeps `sections` as `jsonb` and selects it `::text`, so both hand over JSON text.
macro_rules! subscriber_columns {
    ($sections:literal) => {
        concat!(
            "id, site_id, email, status, ",
            $sections,
            " AS sections, created_at, created_offset, confirmed_at, confirmed_offset"
        )
    };
}
pub(crate) use subscriber_columns;

#[derive(Debug, FromRow)]
pub(crate) struct SubscriberRow {
    pub id: i64,
    pub site_id: i64,
    pub email: String,
    pub status: String,
    /// JSON array of section slugs.
    pub sections: String,
    pub created_at: i64,
    pub created_offset: i32,
    pub confirmed_at: Option<i64>,
    pub confirmed_offset: Option<i32>,
}

impl TryFrom<SubscriberRow> for masthead_model::Subscriber {
    type Error = StoreError;

    fn try_from(row: SubscriberRow) -> Result<Self> {
        let status = masthead_model::SubscriberStatus::parse(&row.status).ok_or_else(|| {
            StoreError::Corrupt {
                what: "subscriber status",
                detail: format!("subscriber {}: {:?}", row.id, row.status),
            }
        })?;
        let sections: Vec<String> =
            serde_json::from_str(&row.sections).map_err(|e| StoreError::Corrupt {
                what: "subscriber sections",
                detail: format!("subscriber {}: {e}", row.id),
            })?;
        Ok(Self {
            id: row.id,
            site_id: row.site_id,
            email: row.email,
            status,
            sections,
            created_at: offset_time(row.created_at, row.created_offset),
            confirmed_at: row
                .confirmed_at
                .map(|at| offset_time(at, row.confirmed_offset.unwrap_or(0))),
        })
    }
}

/// An address as subscribers and the sign-up mail cap key it: trimmed, lower-cased.
pub(crate) fn clean_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Section slugs as stored: JSON text (a `jsonb` parameter on PostgreSQL).
pub(crate) fn sections_json(sections: &[String]) -> Result<String> {
    serde_json::to_string(sections).map_err(|e| StoreError::Corrupt {
        what: "subscriber sections",
        detail: e.to_string(),
    })
}

/// A delivery's status as its `status` column spells it.
pub(crate) fn delivery_status(status: masthead_model::DeliveryStatus) -> &'static str {
    match status {
        masthead_model::DeliveryStatus::Sending => "sending",
        masthead_model::DeliveryStatus::Sent => "sent",
        masthead_model::DeliveryStatus::Failed => "failed",
    }
}

// ---------------------------------------------------------------------------------------
// Newsroom: accounts, releases, the audit log (SQL in `sqlite/newsroom.rs`,
// `postgres/newsroom.rs`).

/// The columns a [`UserRow`] is read from, for `concat!` into both backends' queries.
/// PostgreSQL keeps `sites` as `jsonb` and selects it `::text`, so both hand over JSON text.
macro_rules! user_columns {
    ($sites:literal) => {
        concat!(
            "id, email, role, ",
            $sites,
            " AS sites, password_hash, disabled, created_at, created_offset"
        )
    };
}
pub(crate) use user_columns;

#[derive(Debug, FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    /// JSON array of site ids.
    pub sites: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: i64,
    pub created_offset: i32,
}

impl TryFrom<UserRow> for masthead_model::User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self> {
        let role = masthead_model::Role::parse(&row.role).ok_or_else(|| StoreError::Corrupt {
            what: "user role",
            detail: format!("user {}: {:?}", row.id, row.role),
        })?;
        let sites: Vec<i64> =
            serde_json::from_str(&row.sites).map_err(|e| StoreError::Corrupt {
                what: "user sites",
                detail: format!("user {}: {e}", row.id),
            })?;
        Ok(Self {
            id: row.id,
            email: row.email,
            role,
            sites,
            password_hash: row.password_hash,
            disabled: row.disabled,
            created_at: offset_time(row.created_at, row.created_offset),
        })
    }
}

/// Site ids as stored: JSON text (a `jsonb` parameter on PostgreSQL).
pub(crate) fn site_ids_json(what: &'static str, sites: &[i64]) -> Result<String> {
    serde_json::to_string(sites).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

/// The reference a submitter is given for release `id`: "R-" and at least six digits.
pub(crate) fn release_reference(id: i64) -> String {
    format!("R-{id:06}")
}

/// The columns a [`ReleaseRow`] is read from, for `concat!` into both backends' queries
/// (`sites` as for [`user_columns`]).
macro_rules! release_columns {
    ($sites:literal) => {
        concat!(
            "id, reference, kind, organisation, contact_name, contact_email, contact_phone, \
             headline, body, dateline, event_at, event_place, image_file, image_content_type, \
             image_width, image_height, ",
            $sites,
            " AS sites, fingerprint, status, version, submitted_at, submitted_offset, \
             decided_at, decided_offset, decided_by, reason, section, story_id"
        )
    };
}
pub(crate) use release_columns;

#[derive(Debug, FromRow)]
pub(crate) struct ReleaseRow {
    pub id: i64,
    pub reference: String,
    pub kind: String,
    pub organisation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub headline: String,
    pub body: String,
    pub dateline: Option<String>,
    pub event_at: Option<String>,
    pub event_place: Option<String>,
    pub image_file: Option<String>,
    pub image_content_type: Option<String>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
    /// JSON array of site ids.
    pub sites: String,
    pub fingerprint: String,
    pub status: String,
    pub version: i32,
    pub submitted_at: i64,
    pub submitted_offset: i32,
    pub decided_at: Option<i64>,
    pub decided_offset: Option<i32>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub section: Option<String>,
    pub story_id: Option<i64>,
}

impl TryFrom<ReleaseRow> for masthead_model::Release {
    type Error = StoreError;

    fn try_from(row: ReleaseRow) -> Result<Self> {
        let corrupt = |what: &'static str, detail: String| StoreError::Corrupt {
            what,
            detail: format!("release {}: {detail}", row.id),
        };
        let kind = masthead_model::ReleaseKind::parse(&row.kind)
            .ok_or_else(|| corrupt("release kind", format!("{:?}", row.kind)))?;
        let status = masthead_model::ReleaseStatus::parse(&row.status)
            .ok_or_else(|| corrupt("release status", format!("{:?}", row.status)))?;
        let sites: Vec<i64> = serde_json::from_str(&row.sites)
            .map_err(|e| corrupt("release sites", e.to_string()))?;
        // The four image columns are written together: a file without the rest is corrupt.
        let image = match row.image_file {
            None => None,
            Some(file) => {
                let dimension = |value: Option<i64>| {
                    value
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| corrupt("release image", format!("dimension {value:?}")))
                };
                Some(masthead_model::ReleaseImage {
                    file,
                    content_type: row
                        .image_content_type
                        .ok_or_else(|| corrupt("release image", "no content type".to_owned()))?,
                    width: dimension(row.image_width)?,
                    height: dimension(row.image_height)?,
                })
            }
        };
        Ok(Self {
            id: row.id,
            reference: row.reference,
            release: masthead_model::NewRelease {
                kind,
                organisation: row.organisation,
                contact_name: row.contact_name,
                contact_email: row.contact_email,
                contact_phone: row.contact_phone,
                headline: row.headline,
                body: row.body,
                dateline: row.dateline,
                event_at: row.event_at,
                event_place: row.event_place,
                image,
                sites,
                fingerprint: row.fingerprint,
            },
            status,
            version: row.version,
            submitted_at: offset_time(row.submitted_at, row.submitted_offset),
            decided_at: row
                .decided_at
                .map(|at| offset_time(at, row.decided_offset.unwrap_or(0))),
            decided_by: row.decided_by,
            reason: row.reason,
            section: row.section,
            story_id: row.story_id,
        })
    }
}

/// What a [`masthead_model::NewRelease`] is written as beyond its own fields: derived once so
/// both backends store the same values.
pub(crate) struct ReleaseValues<'a> {
    pub sites: String,
    pub image_file: Option<&'a str>,
    pub image_content_type: Option<&'a str>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
}

impl<'a> ReleaseValues<'a> {
    pub fn new(release: &'a masthead_model::NewRelease) -> Result<Self> {
        let image = release.image.as_ref();
        Ok(Self {
            sites: site_ids_json("release sites", &release.sites)?,
            image_file: image.map(|i| i.file.as_str()),
            image_content_type: image.map(|i| i.content_type.as_str()),
            image_width: image.map(|i| i64::from(i.width)),
            image_height: image.map(|i| i64::from(i.height)),
        })
    }
}

/// The columns an [`AuditRow`] is read from.
macro_rules! audit_columns {
    () => {
        "at, at_offset, actor, action, object, detail, from_addr"
    };
}
pub(crate) use audit_columns;

#[derive(Debug, FromRow)]
pub(crate) struct AuditRow {
    pub at: i64,
    pub at_offset: i32,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    pub from_addr: String,
}

impl From<AuditRow> for masthead_model::AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            at: offset_time(row.at, row.at_offset),
            actor: row.actor,
            action: row.action,
            object: row.object,
            detail: row.detail,
            from: row.from_addr,
        }
    }
}
