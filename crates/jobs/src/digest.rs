//! The daily digest: one site's top stories of the 24 hours before its send hour, mailed to
//! each confirmed subscriber once.
//!
//! Input: the store, a site with its zone and send hour, a date, the mailer. Output: one mail
//! per subscriber, recorded as a delivery row before and after sending, so sending the same
//! site and day again mails only those not yet mailed, and two nodes never mail one person.

use futures_util::StreamExt;
use masthead_mail::{DigestMail, DigestSection, DigestStory, MailAddress, Mailer, OutgoingMail};
use masthead_model::{DeliveryStatus, OffsetTime, Site, StorySummary, Subscriber};
use masthead_store::Store;

/// How digests are made and sent.
#[derive(Debug, Clone)]
pub struct DigestSettings {
    /// The network's public base URL: every link in mail starts with it.
    pub base_url: url::Url,
    /// Signs the unsubscribe and preferences links.
    pub secret: Vec<u8>,
    /// Stories per section.
    pub per_section: usize,
    /// Names this sender in delivery leases.
    pub owner: String,
    /// A claimed delivery is re-claimable by another sender after this long.
    pub lease_secs: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("site {site:?} has an invalid time zone {zone:?}")]
    Zone { site: String, zone: String },
    #[error("{date:?} is not a date like 2025-04-12")]
    Date { date: String },
    #[error("store: {0}")]
    Store(#[from] masthead_store::StoreError),
    #[error("mail: {0}")]
    Mail(#[from] masthead_mail::MailError),
}

/// A site's digest of one day, before it is addressed to anyone.
#[derive(Debug, Clone)]
pub struct Digest {
    pub site: Site,
    /// YYYY-MM-DD in the site's zone.
    pub date: String,
    /// "Saturday 12 April 2025".
    pub date_label: String,
    /// (section slug, section name, stories newest first).
    pub sections: Vec<(String, String, Vec<StorySummary>)>,
    /// Start and end (exclusive) of the window, unix µs.
    pub window: (i64, i64),
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|(_, _, s)| s.is_empty())
    }

    pub fn story_count(&self) -> usize {
        self.sections.iter().map(|(_, _, s)| s.len()).sum()
    }
}

/// Today's date in the site's zone (the digest a `send` without `--date` sends).
pub fn today(site: &Site) -> Result<String, DigestError> {
    let zone = zone(site)?;
    Ok(jiff::Timestamp::now()
        .to_zoned_datetime(zone)
        .date()
        .to_string())
}

fn zone(site: &Site) -> Result<jiff::tz::TimeZone, DigestError> {
    masthead_normalize::parse_zone(&site.time_zone).map_err(|_| DigestError::Zone {
        site: site.slug.clone(),
        zone: site.time_zone.clone(),
    })
}

/// The instant `date` at `hour`:00 in the site's zone (DST-correct: a nonexistent local time
/// moves forward, an ambiguous one takes the earlier instant).
pub fn send_instant(site: &Site, date: &str, hour: u8) -> Result<jiff::Timestamp, DigestError> {
    let zone = zone(site)?;
    let day: jiff::civil::Date = date.parse().map_err(|_| DigestError::Date {
        date: date.to_owned(),
    })?;
    let local = day.at(i8::try_from(hour).unwrap_or(7), 0, 0, 0);
    zone.to_ambiguous_timestamp(local)
        .compatible()
        .map_err(|_| DigestError::Date {
            date: date.to_owned(),
        })
}

/// Whether the digest of today (site zone) is due: the send hour has passed.
pub fn due_date(site: &Site, hour: u8) -> Result<Option<String>, DigestError> {
    let date = today(site)?;
    let at = send_instant(site, &date, hour)?;
    Ok((jiff::Timestamp::now() >= at).then_some(date))
}

/// Collects the stories of the 24 hours before `date`'s send hour: one per cluster (the
/// store lists representatives), killed ones never, grouped by the site's sections.
pub async fn build(
    store: &dyn Store,
    site: &Site,
    date: &str,
    hour: u8,
    per_section: usize,
) -> Result<Digest, DigestError> {
    let end = send_instant(site, date, hour)?.as_microsecond();
    let start = end - 24 * 3600 * 1_000_000;
    let mut sections = Vec::new();
    for section in &site.sections {
        let mut picked = Vec::new();
        let mut offset = 0;
        'pages: loop {
            let page = store
                .site_stories(site.id, Some(&section.slug), offset, 100)
                .await?;
            if page.is_empty() {
                break;
            }
            offset += 100;
            for story in page {
                let t = story.published.unix_micros;
                if t >= end {
                    continue;
                }
                if t < start {
                    break 'pages;
                }
                picked.push(story);
                if picked.len() >= per_section {
                    break 'pages;
                }
            }
        }
        sections.push((section.slug.clone(), section.name.clone(), picked));
    }
    let date_label = date
        .parse::<jiff::civil::Date>()
        .map(|d| d.strftime("%A %-d %B %Y").to_string())
        .unwrap_or_else(|_| date.to_owned());
    Ok(Digest {
        site: site.clone(),
        date: date.to_owned(),
        date_label,
        sections,
        window: (start, end),
    })
}

fn site_base(settings: &DigestSettings, site: &Site) -> String {
    format!(
        "{}/s/{}",
        settings.base_url.as_str().trim_end_matches('/'),
        site.slug
    )
}

/// The unsubscribe and preferences links of a subscriber.
pub fn subscriber_links(settings: &DigestSettings, site: &Site, id: i64) -> (String, String) {
    let base = site_base(settings, site);
    let unsub = masthead_mail::signed::sign(&settings.secret, "unsubscribe", id);
    let prefs = masthead_mail::signed::sign(&settings.secret, "preferences", id);
    (
        format!("{base}/unsubscribe?s={id}&t={unsub}"),
        format!("{base}/subscribe/preferences?s={id}&t={prefs}"),
    )
}

/// The mail one subscriber gets (None: none of their sections has a story).
pub fn address(
    digest: &Digest,
    settings: &DigestSettings,
    subscriber: &Subscriber,
) -> Result<Option<OutgoingMail>, DigestError> {
    let base = site_base(settings, &digest.site);
    let sections: Vec<DigestSection> = digest
        .sections
        .iter()
        .filter(|(slug, _, stories)| {
            !stories.is_empty()
                && (subscriber.sections.is_empty() || subscriber.sections.contains(slug))
        })
        .map(|(_, name, stories)| DigestSection {
            name: name.clone(),
            stories: stories
                .iter()
                .map(|s| {
                    let (dateline, lead) = match masthead_normalize::split_dateline(&s.lead) {
                        (Some(d), rest) => (Some(d), rest),
                        (None, _) => (s.dateline.clone(), s.lead.clone()),
                    };
                    DigestStory {
                        headline: s.headline.clone(),
                        teaser: masthead_normalize::teaser(dateline.as_deref(), &lead, 160),
                        url: format!("{base}/story/{}/{}", s.id, s.slug),
                        image: None,
                    }
                })
                .collect(),
        })
        .collect();
    if sections.is_empty() {
        return Ok(None);
    }
    let (unsubscribe_url, preferences_url) =
        subscriber_links(settings, &digest.site, subscriber.id);
    let mail = DigestMail {
        site_name: digest.site.name.clone(),
        site_url: format!("{base}/"),
        date_label: digest.date_label.clone(),
        sections,
        why_line: format!(
            "You get this email because you subscribed to {}'s daily email at {base}/subscribe.",
            digest.site.name
        ),
        unsubscribe_url: unsubscribe_url.clone(),
        preferences_url,
    };
    let (text, html) = masthead_mail::render_digest(&mail)?;
    Ok(Some(OutgoingMail {
        to: MailAddress::bare(subscriber.email.clone()),
        subject: format!(
            "{}: your daily news for {}",
            digest.site.name, digest.date_label
        ),
        text,
        html: Some(html),
        headers: vec![
            (
                "List-Unsubscribe".to_owned(),
                format!("<{unsubscribe_url}>"),
            ),
            (
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned(),
            ),
        ],
        message_id_hint: Some(format!(
            "digest-{}-{}-{}",
            digest.site.slug, digest.date, subscriber.id
        )),
    }))
}

/// A relay that is briefly unavailable gets three more tries (1 s, 5 s, 25 s apart) before
/// the delivery is marked failed; a refusal is final at once.
async fn send_with_retries(
    mailer: &Mailer,
    mail: &OutgoingMail,
) -> Result<masthead_mail::SendReceipt, masthead_mail::MailError> {
    let mut wait = std::time::Duration::from_secs(1);
    let mut tries = 0;
    loop {
        match mailer.send(mail).await {
            Err(err) if err.is_transient() && tries < 3 => {
                tries += 1;
                tokio::time::sleep(wait).await;
                wait *= 5;
            }
            other => return other,
        }
    }
}

/// Mails of one digest in flight at once: enough to keep the Mailer's pooled connections busy
/// (its `pool_size` still caps the connections; the rest wait for one).
pub const SEND_CONCURRENCY: usize = 8;

enum Outcome {
    Sent,
    Failed,
    Skipped,
}

/// Addresses, sends and records one claimed delivery.
async fn deliver(
    store: &dyn Store,
    mailer: &Mailer,
    settings: &DigestSettings,
    digest: &Digest,
    subscriber: Subscriber,
) -> Result<Outcome, DigestError> {
    let (outcome, status, error) = match address(digest, settings, &subscriber)? {
        None => (
            Outcome::Skipped,
            DeliveryStatus::Sent,
            Some("no story in the chosen sections"),
        ),
        Some(mail) => match send_with_retries(mailer, &mail).await {
            Ok(_) => (Outcome::Sent, DeliveryStatus::Sent, None),
            Err(err) => {
                tracing::warn!(subscriber.id = subscriber.id, "digest not delivered: {err}");
                (
                    Outcome::Failed,
                    DeliveryStatus::Failed,
                    Some(if err.is_permanent() {
                        "refused by the relay"
                    } else {
                        "relay unavailable"
                    }),
                )
            }
        },
    };
    store
        .finish_delivery(
            digest.site.id,
            &digest.date,
            subscriber.id,
            status,
            error,
            OffsetTime::now_utc(),
        )
        .await?;
    Ok(outcome)
}

/// What sending a digest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendReport {
    pub stories: usize,
    pub sent: usize,
    pub failed: usize,
    /// Subscribers whose sections had no story that day: recorded as done, nothing mailed.
    pub skipped: usize,
}

/// Sends `digest` to every confirmed subscriber not yet mailed for that day, up to
/// [`SEND_CONCURRENCY`] mails at once. With no stories it sends nothing (and claims nothing).
pub async fn send(
    store: &dyn Store,
    mailer: &Mailer,
    settings: &DigestSettings,
    digest: &Digest,
) -> Result<SendReport, DigestError> {
    let mut report = SendReport {
        stories: digest.story_count(),
        ..SendReport::default()
    };
    if digest.is_empty() {
        return Ok(report);
    }
    loop {
        let now = OffsetTime::now_utc().unix_micros;
        let claimed = store
            .claim_deliveries(
                digest.site.id,
                &digest.date,
                &settings.owner,
                now,
                now + settings.lease_secs * 1_000_000,
                50,
            )
            .await?;
        if claimed.is_empty() {
            break;
        }
        // Each mail is recorded right after its own send, so an abort leaves at most the
        // `SEND_CONCURRENCY` mails in flight accepted but unrecorded (re-sent after the lease).
        let mut deliveries = futures_util::stream::iter(claimed)
            .map(|subscriber| deliver(store, mailer, settings, digest, subscriber))
            .buffer_unordered(SEND_CONCURRENCY);
        while let Some(outcome) = deliveries.next().await {
            match outcome? {
                Outcome::Sent => report.sent += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Skipped => report.skipped += 1,
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_model::Section;

    fn site(zone: &str) -> Site {
        Site {
            id: 1,
            slug: "s".into(),
            name: "S".into(),
            hosts: vec![],
            time_zone: zone.into(),
            tagline: String::new(),
            sections: vec![Section {
                slug: "world".into(),
                name: "World".into(),
            }],
        }
    }

    fn at(site: &Site, date: &str, hour: u8) -> String {
        send_instant(site, date, hour).unwrap().to_string()
    }

    #[test]
    fn the_send_hour_is_local_on_both_sides_of_daylight_saving() {
        let ny = site("America/New_York");
        // 7:00 EST (UTC-5) the day before the change, 7:00 EDT (UTC-4) on the day.
        assert_eq!(at(&ny, "2025-03-08", 7), "2025-03-08T12:00:00Z");
        assert_eq!(at(&ny, "2025-03-09", 7), "2025-03-09T11:00:00Z");
        assert_eq!(at(&ny, "2025-11-02", 7), "2025-11-02T12:00:00Z");
        // 2:30 does not exist on 9 March in New York: the send moves forward an hour.
        assert_eq!(at(&ny, "2025-03-09", 2), "2025-03-09T07:00:00Z");
        let sydney = site("Australia/Sydney");
        // AEDT (UTC+11) until 6 April 2025, AEST (UTC+10) from then.
        assert_eq!(at(&sydney, "2025-04-05", 7), "2025-04-04T20:00:00Z");
        assert_eq!(at(&sydney, "2025-04-06", 7), "2025-04-05T21:00:00Z");
        // 2:00 happens twice on 6 April in Sydney: the first one is taken.
        assert_eq!(at(&sydney, "2025-04-06", 2), "2025-04-05T15:00:00Z");
        let kolkata = site("Asia/Kolkata");
        assert_eq!(at(&kolkata, "2025-04-06", 7), "2025-04-06T01:30:00Z");
    }

    #[test]
    fn bad_dates_and_zones_are_errors() {
        assert!(matches!(
            send_instant(&site("UTC"), "2025-02-30", 7),
            Err(DigestError::Date { .. })
        ));
        assert!(matches!(
            send_instant(&site("Mars/Olympus"), "2025-02-01", 7),
            Err(DigestError::Zone { .. })
        ));
    }

    #[test]
    fn unsubscribe_links_are_signed_per_subscriber() {
        let settings = DigestSettings {
            base_url: url::Url::parse("https://news.example/").unwrap(),
            secret: b"0123456789abcdef0123456789abcdef".to_vec(),
            per_section: 5,
            owner: "t".into(),
            lease_secs: 60,
        };
        let (unsub, prefs) = subscriber_links(&settings, &site("UTC"), 42);
        assert!(unsub.starts_with("https://news.example/s/s/unsubscribe?s=42&t="));
        assert!(prefs.starts_with("https://news.example/s/s/subscribe/preferences?s=42&t="));
        let token = unsub.rsplit("t=").next().unwrap();
        assert!(masthead_mail::signed::verify(
            &settings.secret,
            "unsubscribe",
            42,
            token
        ));
        assert!(!masthead_mail::signed::verify(
            &settings.secret,
            "unsubscribe",
            43,
            token
        ));
    }
}
