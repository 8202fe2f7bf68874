//! Moderation's outcomes: an approved release becomes a story, and the submitter hears of it.
//!
//! Input: a stored [`Release`] (as editors left it), the sites' routes and the ingest settings.
//! Output: [`approve`] stores the release as a story through [`ingest_entries`], the path every
//! story takes, credited to the source named exactly [`RELEASE_SOURCE`] (created paused, so it
//! is never polled), places it on the release's sites and records the decision; [`reject`]
//! records a rejection (or spam); [`notify`] mails the submitter. The guid is the release's
//! reference, so approving again (after a lost answer, a retry) finds the same story.
//!
//! Never logs an email address: release ids and references only.

use masthead_feed::Entry;
use masthead_mail::{MailAddress, Mailer, OutgoingMail};
use masthead_model::{
    FullTextPolicy, LeadImage, OffsetTime, Placement, Release, ReleaseStatus, SiteId, Source,
    SourceSpec, StoryId,
};
use masthead_route::SiteRoute;
use masthead_store::Store;

use crate::{IngestSettings, JobError, ingest_entries};

/// The source every release is credited to; pages show it as the story's label.
pub const RELEASE_SOURCE: &str = "News release";
/// Its placeholder URL: `.invalid` never resolves, and the source is paused anyway.
pub const RELEASE_SOURCE_URL: &str = "https://releases.invalid/";

/// What an editor (or the command line) decided beyond "approve".
#[derive(Debug, Clone, Default)]
pub struct Approval {
    /// Who approves: an account's email or `cli:<user>` (kept with the release).
    pub by: String,
    /// The sites to publish on; empty: the release's own sites.
    pub sites: Vec<SiteId>,
    /// The section on each site; None (or a section a site lacks): routed like any story.
    pub section: Option<String>,
    /// The network's public base URL (`base_url`): the image's URL is `{base}/uploads/{file}`.
    pub public_base: Option<String>,
}

/// The release source, created (paused) the first time.
pub async fn release_source(store: &dyn Store) -> Result<Source, JobError> {
    let err = |cause| JobError::Store {
        source_name: RELEASE_SOURCE.to_owned(),
        cause,
    };
    if let Some(source) = store.source_by_name(RELEASE_SOURCE).await.map_err(err)? {
        if !source.health.paused {
            store
                .set_source_paused(RELEASE_SOURCE, true)
                .await
                .map_err(err)?;
        }
        return Ok(source);
    }
    let source = store
        .upsert_source(&SourceSpec {
            name: RELEASE_SOURCE.to_owned(),
            url: RELEASE_SOURCE_URL.to_owned(),
            section: None,
            dateline: None,
            full_text: FullTextPolicy::Never,
            interval_secs: 365 * 24 * 3600,
        })
        .await
        .map_err(err)?;
    store
        .set_source_paused(RELEASE_SOURCE, true)
        .await
        .map_err(err)?;
    Ok(source)
}

/// The feed entry a release is: guid = reference, published now, the organisation as byline.
pub fn release_entry(release: &Release, public_base: Option<&str>, now: OffsetTime) -> Entry {
    let r = &release.release;
    let image = match (&r.image, public_base) {
        (Some(image), Some(base)) => Some(LeadImage {
            url: format!("{}/uploads/{}", base.trim_end_matches('/'), image.file),
            caption: None,
            credit: Some(r.organisation.clone()),
            alt: Some(r.headline.clone()),
        }),
        _ => None,
    };
    Entry {
        guid: Some(release.reference.clone()),
        url: None,
        // Feed titles are HTML-decoded by ingest: escaped here, the headline stays as typed.
        title: Some(escape(&r.headline)),
        summary_html: None,
        // A wire story opens with its dateline ("ORLANDO, Florida: …"); a release does too, so
        // its page and teasers read alike.
        content_html: Some(
            masthead_releases::body_html(&match r.dateline.as_deref().map(str::trim) {
                Some(d) if !d.is_empty() && !r.body.trim_start().starts_with(d) => {
                    format!("{d}: {}", r.body.trim_start())
                }
                _ => r.body.clone(),
            })
            .into_string(),
        ),
        author: Some(escape(&r.organisation)),
        published: Some(now),
        updated: None,
        categories: vec![r.kind.label().to_owned(), r.kind.as_str().to_owned()],
        image,
        dateline: r.dateline.clone(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Publishes `release` as a story on its sites (or `approval.sites`) and records the approval.
/// `routes` are the network's routes (for the sites' sections and rules); `settings` the
/// ingest settings (clusters, time). A release already decided, or changed since it was read
/// (optimistic locking), is refused with [`JobError::Release`].
pub async fn approve(
    store: &dyn Store,
    release: &Release,
    routes: &[SiteRoute],
    settings: &IngestSettings,
    approval: &Approval,
) -> Result<StoryId, JobError> {
    let prepared = prepare(store, release, routes, settings, approval).await?;
    let decided = store
        .decide_release(
            release.id,
            release.version,
            ReleaseStatus::Approved,
            &approval.by,
            None,
            Some(prepared.story_id),
            settings.now,
        )
        .await
        .map_err(store_err)?;
    if decided.is_none() {
        // The story stays unplaced: it shows on no site.
        return Err(refusal(
            release,
            "someone else changed or decided it since it was opened: open it again",
        ));
    }
    place(store, release, &prepared, approval).await?;
    Ok(prepared.story_id)
}

/// Makes the story and places it, without recording a decision: for a caller that records
/// it itself (the admin, which holds the version the editor saw). Idempotent by reference.
pub async fn publish(
    store: &dyn Store,
    release: &Release,
    routes: &[SiteRoute],
    settings: &IngestSettings,
    approval: &Approval,
) -> Result<StoryId, JobError> {
    let prepared = prepare(store, release, routes, settings, approval).await?;
    place(store, release, &prepared, approval).await?;
    Ok(prepared.story_id)
}

fn store_err(cause: masthead_store::StoreError) -> JobError {
    JobError::Store {
        source_name: RELEASE_SOURCE.to_owned(),
        cause,
    }
}

fn refusal(release: &Release, reason: impl Into<String>) -> JobError {
    JobError::Release {
        reference: release.reference.clone(),
        reason: reason.into(),
    }
}

/// A release stored as an (unplaced) story, and where it is to go.
struct Prepared {
    story_id: StoryId,
    source: Source,
    categories: Vec<String>,
    site_routes: Vec<SiteRoute>,
}

async fn prepare(
    store: &dyn Store,
    release: &Release,
    routes: &[SiteRoute],
    settings: &IngestSettings,
    approval: &Approval,
) -> Result<Prepared, JobError> {
    if release.status != ReleaseStatus::Submitted {
        return Err(refusal(
            release,
            format!("it is {} already", release.status.as_str()),
        ));
    }
    let site_ids: Vec<SiteId> = if approval.sites.is_empty() {
        release.release.sites.clone()
    } else {
        approval.sites.clone()
    };
    let site_routes: Vec<SiteRoute> = site_ids
        .iter()
        .filter_map(|id| routes.iter().find(|r| r.site.id == *id))
        .map(|r| SiteRoute {
            site: r.site.clone(),
            // Every site a release is meant for carries it: its rules still pick the section.
            sources: Vec::new(),
            rules: r.rules.clone(),
        })
        .collect();
    if site_routes.is_empty() {
        return Err(refusal(
            release,
            "none of its sites is part of the network any more",
        ));
    }
    let source = release_source(store).await?;
    let entry = release_entry(release, approval.public_base.as_deref(), settings.now);
    // Stored unplaced: placements come after the decision is recorded.
    let unplaced = IngestSettings {
        routes: Vec::new(),
        ..settings.clone()
    };
    let report = ingest_entries(
        store,
        &source,
        std::slice::from_ref(&entry),
        &unplaced,
        None,
    )
    .await?;
    let Some(outcome) = report.outcomes.first() else {
        let why = report
            .problems
            .first()
            .map_or_else(|| "it could not be stored".to_owned(), |p| p.reason.clone());
        return Err(refusal(release, why));
    };
    Ok(Prepared {
        story_id: outcome.id(),
        source,
        categories: entry.categories,
        site_routes,
    })
}

async fn place(
    store: &dyn Store,
    release: &Release,
    prepared: &Prepared,
    approval: &Approval,
) -> Result<(), JobError> {
    let text = masthead_releases::body_text(&release.release.body);
    let routable = masthead_route::Routable {
        id: prepared.story_id,
        source: &prepared.source,
        categories: &prepared.categories,
        headline: &release.release.headline,
        text: &text,
        dateline: release.release.dateline.as_deref(),
    };
    let routed = masthead_route::placements(&prepared.site_routes, &routable);
    for route in &prepared.site_routes {
        let site = &route.site;
        let chosen = approval
            .section
            .as_deref()
            .or(release.section.as_deref())
            .filter(|s| site.section(s).is_some())
            .map(str::to_owned);
        let section = chosen
            .or_else(|| {
                routed
                    .iter()
                    .find(|p| p.site_id == site.id)
                    .map(|p| p.section.clone())
            })
            // Nothing fits: the site's first section, rather than a release that waits
            // unseen after an editor approved it.
            .or_else(|| site.sections.first().map(|s| s.slug.clone()));
        let Some(section) = section else {
            tracing::warn!(
                site.id = site.id,
                release.id = release.id,
                "site has no section"
            );
            continue;
        };
        store
            .place(&Placement {
                story_id: prepared.story_id,
                site_id: site.id,
                section,
            })
            .await
            .map_err(store_err)?;
    }
    tracing::info!(
        release.id = release.id,
        story.id = prepared.story_id,
        sites = prepared.site_routes.len(),
        "release published"
    );
    Ok(())
}

/// Records a rejection (with the reason the submitter is mailed) or spam (no mail).
pub async fn reject(
    store: &dyn Store,
    release: &Release,
    status: ReleaseStatus,
    by: &str,
    reason: &str,
    now: OffsetTime,
) -> Result<Release, JobError> {
    if release.status != ReleaseStatus::Submitted {
        return Err(refusal(
            release,
            format!("it is {} already", release.status.as_str()),
        ));
    }
    let reason = reason.trim();
    if status == ReleaseStatus::Rejected && reason.is_empty() {
        return Err(refusal(
            release,
            "a rejection needs a reason: the submitter is told it",
        ));
    }
    store
        .decide_release(
            release.id,
            release.version,
            status,
            by,
            (!reason.is_empty()).then_some(reason),
            None,
            now,
        )
        .await
        .map_err(store_err)?
        .ok_or_else(|| {
            refusal(
                release,
                "someone else changed or decided it since it was opened: open it again",
            )
        })
}

/// The story's page on one of its sites: `{base}/s/{site}/story/{id}/{slug}` (the `/s/` path
/// works on every host).
pub async fn story_link(
    store: &dyn Store,
    public_base: &str,
    story_id: StoryId,
) -> Result<Option<String>, JobError> {
    let err = store_err;
    let Some(story) = store.story(story_id).await.map_err(err)? else {
        return Ok(None);
    };
    let placements = store.placements_of(story_id).await.map_err(err)?;
    let Some(first) = placements.first() else {
        return Ok(None);
    };
    let sites = store.sites().await.map_err(err)?;
    Ok(sites.iter().find(|s| s.id == first.site_id).map(|site| {
        format!(
            "{}/s/{}/story/{}/{}",
            public_base.trim_end_matches('/'),
            site.slug,
            story.id,
            story.slug
        )
    }))
}

/// The mail telling the submitter what became of their release: approved (with the story's
/// link when known) or rejected (with the editor's reason). Spam gets none: None.
pub fn decision_mail(
    release: &Release,
    decision: ReleaseStatus,
    network_name: &str,
    story_url: Option<&str>,
) -> Option<OutgoingMail> {
    let r = &release.release;
    let (subject, middle) = match decision {
        ReleaseStatus::Approved => (
            format!("Your news release {} is published", release.reference),
            match story_url {
                Some(url) => format!("Our editors approved it and it is published here:\n{url}\n"),
                None => "Our editors approved it and it is published on our sites.\n".to_owned(),
            },
        ),
        ReleaseStatus::Rejected => (
            format!("Your news release {} was not published", release.reference),
            format!(
                "Our editors decided not to publish it. Their reason:\n\n  {}\n\nYou are \
                 welcome to submit a revised release.\n",
                release.reason.as_deref().unwrap_or("(none given)")
            ),
        ),
        ReleaseStatus::Submitted | ReleaseStatus::Spam => return None,
    };
    let text = format!(
        "Hello {},\n\nThank you for your news release \"{}\" (reference {}).\n\n{middle}\n-- \n{network_name}\n",
        r.contact_name, r.headline, release.reference
    );
    Some(OutgoingMail {
        to: MailAddress::new(r.contact_name.clone(), r.contact_email.clone()),
        subject,
        text,
        html: None,
        headers: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
        message_id_hint: None,
    })
}

/// Mails the submitter the decision (nothing for spam or a release still waiting). A failed
/// send is logged and returned: the decision stands either way.
pub async fn notify(
    mailer: &Mailer,
    release: &Release,
    decision: ReleaseStatus,
    network_name: &str,
    story_url: Option<&str>,
) -> Result<bool, masthead_mail::MailError> {
    let Some(mail) = decision_mail(release, decision, network_name, story_url) else {
        return Ok(false);
    };
    match mailer.send(&mail).await {
        Ok(receipt) => {
            tracing::info!(
                release.id = release.id,
                message_id = %receipt.message_id,
                "release decision mailed"
            );
            Ok(true)
        }
        Err(error) => {
            tracing::error!(release.id = release.id, %error, "mailing a release decision failed");
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::{NewRelease, ReleaseImage, ReleaseKind};

    fn release() -> Release {
        Release {
            id: 7,
            reference: "R-000007".to_owned(),
            release: NewRelease {
                kind: ReleaseKind::Business,
                organisation: "Harbor & Sons".to_owned(),
                contact_name: "Ana".to_owned(),
                contact_email: "ana@example.org".to_owned(),
                contact_phone: None,
                headline: "Harbor <Bakery> opens & grows".to_owned(),
                body: "A **new** shop.\n\nTwelve jobs.".to_owned(),
                dateline: Some("ORLANDO, Florida".to_owned()),
                event_at: None,
                event_place: None,
                image: Some(ReleaseImage {
                    file: "abc.jpg".to_owned(),
                    content_type: "image/jpeg".to_owned(),
                    width: 300,
                    height: 200,
                }),
                sites: vec![1],
                fingerprint: "f".to_owned(),
            },
            status: ReleaseStatus::Submitted,
            version: 1,
            submitted_at: OffsetTime::now_utc(),
            decided_at: None,
            decided_by: None,
            reason: None,
            section: None,
            story_id: None,
        }
    }

    #[test]
    fn a_release_as_an_entry() {
        let now = OffsetTime::now_utc();
        let e = release_entry(&release(), Some("https://news.example/"), now);
        assert_eq!(e.guid.as_deref(), Some("R-000007"));
        assert_eq!(
            masthead_normalize::clean_inline(e.title.as_deref().unwrap()),
            "Harbor <Bakery> opens & grows"
        );
        assert!(e.content_html.unwrap().contains("<strong>new</strong>"));
        assert_eq!(e.published, Some(now));
        assert_eq!(e.image.unwrap().url, "https://news.example/uploads/abc.jpg");
        assert_eq!(e.dateline.as_deref(), Some("ORLANDO, Florida"));
        assert!(release_entry(&release(), None, now).image.is_none());
    }

    #[test]
    fn decision_mails() {
        let mut r = release();
        assert!(decision_mail(&r, ReleaseStatus::Submitted, "Net", None).is_none());
        let link = "https://x.example/s/a/story/1/s";
        let m = decision_mail(&r, ReleaseStatus::Approved, "Net", Some(link)).unwrap();
        assert!(m.subject.contains("R-000007") && m.text.contains(link));
        r.reason = Some("Not local news".to_owned());
        let m = decision_mail(&r, ReleaseStatus::Rejected, "Net", None).unwrap();
        assert!(m.text.contains("Not local news"));
        assert!(decision_mail(&r, ReleaseStatus::Spam, "Net", None).is_none());
    }

    #[tokio::test]
    async fn approving_makes_a_placed_story_credited_to_news_release() {
        let store = masthead_store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let site = store
            .upsert_site(&masthead_model::SiteSpec {
                slug: "orlando-echo".into(),
                name: "Orlando Echo".into(),
                hosts: vec![],
                time_zone: "UTC".into(),
                tagline: String::new(),
                sections: vec![
                    masthead_model::Section {
                        slug: "world".into(),
                        name: "World".into(),
                    },
                    masthead_model::Section {
                        slug: "business".into(),
                        name: "Business".into(),
                    },
                ],
            })
            .await
            .unwrap();
        let mut new = release().release;
        new.sites = vec![site.id];
        let now = OffsetTime::now_utc();
        let (stored, _) = store.submit_release(&new, now, 0).await.unwrap();
        let routes = vec![SiteRoute {
            site: site.clone(),
            sources: vec!["Some wire".into()],
            rules: vec![],
        }];
        let settings = IngestSettings {
            routes: routes.clone(),
            clusters: None,
            now,
            shift_micros: 0,
        };
        let approval = Approval {
            by: "cli:test".into(),
            public_base: Some("https://news.example".into()),
            ..Approval::default()
        };
        let story = approve(store.as_ref(), &stored, &routes, &settings, &approval)
            .await
            .unwrap();
        let s = store.story(story).await.unwrap().unwrap();
        assert_eq!(s.source_name, RELEASE_SOURCE);
        assert_eq!(s.guid, stored.reference);
        assert_eq!(s.headline, "Harbor <Bakery> opens & grows");
        let placed = store.placements_of(story).await.unwrap();
        // Routed by its kind: a business release lands in Business.
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].section, "business");
        let source = store.source_by_name(RELEASE_SOURCE).await.unwrap().unwrap();
        assert!(source.health.paused, "never polled");
        let decided = store.release(stored.id).await.unwrap().unwrap();
        assert_eq!(decided.status, ReleaseStatus::Approved);
        assert_eq!(decided.story_id, Some(story));
        // Deciding again is refused.
        assert!(
            approve(store.as_ref(), &stored, &routes, &settings, &approval)
                .await
                .is_err()
        );
        let link = story_link(store.as_ref(), "https://news.example", story)
            .await
            .unwrap()
            .unwrap();
        assert!(link.starts_with("https://news.example/s/orlando-echo/story/"));
    }
}
