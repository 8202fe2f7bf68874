//! Crash safety of sending a digest, through a real SMTP server on loopback (masthead-testkit's
//! sink): a send is aborted mid-run (the task dropped wherever it was, as `kill -9` stops a
//! process between two awaits as far as the database and the relay are concerned), three
//! times, each by a "node" with its own lease owner; once the leases expired a last node
//! finishes. The sink's list of recipients is then compared with the subscriber list.
//!
//! What the guarantee is: every confirmed subscriber is mailed (none missed), and the only
//! possible duplicates are the mails that were in flight at an abort: accepted by the relay
//! (the sink counted them) but not yet recorded as sent, so their delivery row is still a
//! `sending` claim, re-claimed and re-sent after the lease. Sending and recording cannot be
//! one atomic step, so this is at-least-once with a window of the mails a sender has in flight:
//! `digest::send` has up to `digest::SEND_CONCURRENCY` (8) mails in flight at once, each
//! recorded right after its own send (the Mailer's pool size, 4 here, only bounds the
//! connections: mails already accepted may wait on their record while others are sent), so
//! each abort can duplicate up to `SEND_CONCURRENCY` mails, never a mail more than once per
//! abort. The claimed rest of the aborted batch (up to 50) is not mailed by the dead sender
//! and waits for its lease to run out.
//!
//! Also: a second send of a completed day mails nobody, and unsubscribed or unconfirmed
//! addresses are never mailed.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use masthead_jobs::digest::{self, Digest, DigestSettings, SendReport};
use masthead_mail::{MailAddress, MailSettings, Mailer, Transport, parse_smtp_url};
use masthead_model::{
    FullTextPolicy, NewStory, OffsetTime, Placement, Section, Site, SiteSpec, SourceSpec,
};
use masthead_store::Store;
use masthead_testkit::smtp::Sink;

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// A temp SQLite store with one site (zone UTC) and a few stories of the last hours.
struct Fixture {
    store: Arc<dyn Store>,
    site: Site,
    path: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = self.path.as_os_str().to_owned();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Fixture {
    async fn new(name: &str) -> Fixture {
        let path = std::env::temp_dir().join(format!(
            "masthead-jobs-digest-{name}-{}-{}.db",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        ));
        let store = masthead_store::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let site = store
            .upsert_site(&SiteSpec {
                slug: "test-times".into(),
                name: "Test Times".into(),
                hosts: vec!["test-times.localhost".into()],
                time_zone: "UTC".into(),
                tagline: String::new(),
                sections: vec![Section {
                    slug: "world".into(),
                    name: "World".into(),
                }],
            })
            .await
            .unwrap();
        let source = store
            .upsert_source(&SourceSpec {
                name: "Test Wire".into(),
                url: "https://wire.test.example/feed.xml".into(),
                section: Some("world".into()),
                dateline: None,
                full_text: FullTextPolicy::Never,
                interval_secs: 900,
            })
            .await
            .unwrap();
        let now = OffsetTime::now_utc().unix_micros;
        for i in 0..5_i64 {
            let text = format!("The council met about item {i}.\n\nMore words on item {i}.");
            let story = store
                .put_story(
                    &NewStory {
                        source_id: source.id,
                        guid: format!("story-{i}"),
                        url: Some(format!("https://wire.test.example/news/{i}")),
                        headline: format!("Council votes on item {i}"),
                        standfirst: None,
                        byline: None,
                        dateline: None,
                        published: OffsetTime::new(now - 60_000_000 - i * 3_600_000_000, 0)
                            .unwrap(),
                        updated: None,
                        content_html: format!("<p>The council met about item {i}.</p>"),
                        text,
                        image: None,
                        categories: vec![],
                        content_hash: format!("hash-{i}"),
                        canonical_url: None,
                    },
                    None,
                )
                .await
                .unwrap();
            store
                .place(&Placement {
                    story_id: story.id(),
                    site_id: site.id,
                    section: "world".into(),
                })
                .await
                .unwrap();
        }
        Fixture { store, site, path }
    }

    /// Signs up and confirms `reader{i}@example.org` for i in `range`, through the store API.
    async fn confirmed(&self, range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        let now = OffsetTime::now_utc();
        let mut emails = Vec::new();
        for i in range {
            let email = format!("reader{i}@example.org");
            let hash = format!("token-{i}");
            self.store
                .subscribe_request(
                    self.site.id,
                    &email,
                    &hash,
                    now.unix_micros + 3_600_000_000,
                    now,
                )
                .await
                .unwrap();
            self.store.confirm_subscription(&hash, now).await.unwrap();
            emails.push(email);
        }
        emails
    }

    /// The digest whose send hour is the next full hour (UTC): its window covers the stories.
    async fn digest(&self) -> Digest {
        let next = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let built = digest::build(
            self.store.as_ref(),
            &self.site,
            &next.date().to_string(),
            u8::try_from(next.hour()).unwrap(),
            5,
        )
        .await
        .unwrap();
        assert_eq!(built.story_count(), 5);
        built
    }

    async fn subscriber_id(&self, email: &str) -> i64 {
        self.store
            .subscribers(self.site.id, 0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.email == email)
            .unwrap()
            .id
    }
}

fn settings(owner: &str) -> DigestSettings {
    DigestSettings {
        base_url: url::Url::parse("https://news.test.example/").unwrap(),
        secret: b"0123456789abcdef0123456789abcdef-digest-crash".to_vec(),
        per_section: 5,
        owner: owner.into(),
        lease_secs: 1,
    }
}

fn mailer(sink: &Sink) -> Mailer {
    Mailer::new(MailSettings {
        from: MailAddress::new("Test Times", "news@test-times.example"),
        transport: Transport::Smtp(parse_smtp_url(&sink.url()).unwrap()),
        dkim: None,
        rate_per_second: None,
        pool_size: 4,
    })
    .unwrap()
}

async fn send(fixture: &Fixture, mailer: &Mailer, owner: &str, built: &Digest) -> SendReport {
    digest::send(fixture.store.as_ref(), mailer, &settings(owner), built)
        .await
        .unwrap()
}

/// How many times each address was received.
fn tally(recipients: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in recipients {
        *counts.entry(r.clone()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborted_send_resumes_and_misses_no_one() {
    const SUBSCRIBERS: usize = 300;
    const ABORTS: [usize; 3] = [110, 185, 260];
    let fixture = Arc::new(Fixture::new("crash").await);
    let emails = fixture.confirmed(1..=SUBSCRIBERS).await;
    let built = Arc::new(fixture.digest().await);
    let sink = Sink::start(false).await;
    let mailer = mailer(&sink);
    let date = built.date.clone();

    for (node, at) in ABORTS.into_iter().enumerate() {
        let task = {
            let (fixture, mailer, built) = (fixture.clone(), mailer.clone(), built.clone());
            tokio::spawn(
                async move { send(&fixture, &mailer, &format!("node-{node}"), &built).await },
            )
        };
        while sink.count() < at {
            assert!(
                !task.is_finished(),
                "node {node} finished before {at} mails"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        let (sent, failed, sending) = fixture
            .store
            .delivery_counts(fixture.site.id, &date)
            .await
            .unwrap();
        println!(
            "node {node} aborted with {} mails received: deliveries {sent} sent, {failed} failed, {sending} still claimed",
            sink.count()
        );
        assert_eq!(failed, 0);
        // Each dead node's claims (the rest of its batch of 50) stay `sending` until another
        // node re-claims them after their lease ran out; a resumed node first claims the
        // subscribers past the highest one claimed, so earlier nodes' rows may still be here.
        assert!(
            sending <= 50 * (i64::try_from(node).unwrap() + 1),
            "{sending} claimed"
        );
        // Recorded sent never exceeds what the relay took.
        assert!(usize::try_from(sent).unwrap() <= sink.count());
        tokio::time::sleep(Duration::from_millis(1_300)).await;
    }

    let last = send(&fixture, &mailer, "node-last", &built).await;
    let (sent, failed, sending) = fixture
        .store
        .delivery_counts(fixture.site.id, &date)
        .await
        .unwrap();
    assert_eq!(
        (sent, failed, sending),
        (i64::try_from(SUBSCRIBERS).unwrap(), 0, 0)
    );

    let received = tally(&sink.recipients());
    let missed: Vec<&String> = emails
        .iter()
        .filter(|e| !received.contains_key(*e))
        .collect();
    assert!(missed.is_empty(), "never mailed: {missed:?}");
    assert_eq!(
        received.len(),
        SUBSCRIBERS,
        "mail to someone not subscribed"
    );
    let mut duplicates: Vec<(&String, &usize)> = received.iter().filter(|(_, n)| **n > 1).collect();
    duplicates.sort();
    println!(
        "after {} aborts and a final run ({} mailed by it): {} mails received for {SUBSCRIBERS} subscribers; duplicated (in flight at an abort): {duplicates:?}",
        ABORTS.len(),
        last.sent,
        sink.count()
    );
    // At most the mails in flight at each abort, and only ever twice (the aborts are far
    // enough apart that no mail is in flight at two of them).
    assert!(
        duplicates.len() <= ABORTS.len() * digest::SEND_CONCURRENCY,
        "{duplicates:?}"
    );
    assert!(duplicates.iter().all(|(_, n)| **n == 2), "{duplicates:?}");
    assert_eq!(sink.count(), SUBSCRIBERS + duplicates.len());

    // The day is done: sending it again mails no one.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let again = send(&fixture, &mailer, "node-again", &built).await;
    assert_eq!(again.sent, 0);
    assert_eq!(sink.count(), SUBSCRIBERS + duplicates.len());
}

#[tokio::test]
async fn sending_a_completed_day_again_mails_nobody_twice() {
    let fixture = Fixture::new("again").await;
    let emails = fixture.confirmed(1..=40).await;
    let built = fixture.digest().await;
    let sink = Sink::start(false).await;
    let mailer = mailer(&sink);

    let first = send(&fixture, &mailer, "node-a", &built).await;
    assert_eq!((first.sent, first.failed, first.skipped), (40, 0, 0));
    assert_eq!(first.stories, 5);
    // Another node, after the first one's leases would have run out, and the same node again.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    for owner in ["node-b", "node-a"] {
        let again = send(&fixture, &mailer, owner, &built).await;
        assert_eq!(again.sent + again.failed + again.skipped, 0, "{owner}");
    }
    let received = tally(&sink.recipients());
    assert_eq!(sink.count(), 40);
    for email in &emails {
        assert_eq!(received.get(email), Some(&1), "{email}");
    }

    // A subscriber confirmed later the same day gets that day's digest, and only they do.
    let late = fixture.confirmed(41..=41).await;
    let report = send(&fixture, &mailer, "node-c", &built).await;
    assert_eq!(report.sent, 1);
    assert_eq!(sink.recipients().last(), late.last());
    assert_eq!(sink.count(), 41);
}

#[tokio::test]
async fn unsubscribed_and_unconfirmed_addresses_are_never_mailed() {
    let fixture = Fixture::new("unsubscribed").await;
    let emails = fixture.confirmed(1..=10).await;
    let now = OffsetTime::now_utc();
    // Left before the digest.
    let gone = &emails[3];
    assert!(
        fixture
            .store
            .unsubscribe(fixture.subscriber_id(gone).await, now)
            .await
            .unwrap()
    );
    // Left, then signed up again but never confirmed: pending, so no digest either.
    let back = &emails[6];
    let back_id = fixture.subscriber_id(back).await;
    assert!(fixture.store.unsubscribe(back_id, now).await.unwrap());
    fixture
        .store
        .subscribe_request(
            fixture.site.id,
            back,
            "token-back",
            now.unix_micros + 3_600_000_000,
            now,
        )
        .await
        .unwrap();
    // Signed up, never confirmed.
    fixture
        .store
        .subscribe_request(
            fixture.site.id,
            "pending@example.org",
            "token-pending",
            now.unix_micros + 3_600_000_000,
            now,
        )
        .await
        .unwrap();

    let built = fixture.digest().await;
    let sink = Sink::start(false).await;
    let mailer = mailer(&sink);
    let report = send(&fixture, &mailer, "node-a", &built).await;
    assert_eq!(report.sent, 8);
    let received = tally(&sink.recipients());
    assert_eq!(received.len(), 8);
    for never in [gone.as_str(), back.as_str(), "pending@example.org"] {
        assert!(!received.contains_key(never), "{never} was mailed");
    }
    assert!(received.values().all(|n| *n == 1));

    // Leaving between two sends of the same day (after a crash, say): the resumed send does
    // not mail them either.
    let third = fixture.confirmed(11..=12).await;
    let leaving = &third[0];
    assert!(
        fixture
            .store
            .unsubscribe(fixture.subscriber_id(leaving).await, now)
            .await
            .unwrap()
    );
    let report = send(&fixture, &mailer, "node-b", &built).await;
    assert_eq!(report.sent, 1);
    assert_eq!(sink.recipients().last(), third.last());
    assert!(!tally(&sink.recipients()).contains_key(leaving));
}
