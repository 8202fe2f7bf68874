//! Benchmark of the daily digest: `--subscribers` confirmed subscribers of one site, mailed
//! through a real SMTP server on loopback (masthead-testkit's sink in counting mode, in this
//! process), against the ceiling of a plain loop over one connection to the same server.
//!
//! ```text
//! cargo run --release -p masthead-jobs --example bench_digest -- [--subscribers 100000] [--per-section 5] [--insert sql|api] [--diagnose 200]
//! ```
//!
//! Setup: a temp SQLite store with one site (zone UTC, one section) and 30 stories placed in
//! the last day. Subscribers are inserted either in one SQL statement through
//! `SqliteStore::pool()` (`--insert sql`, the default: a second or so for 100,000) or through
//! the store API, `subscribe_request` then `confirm_subscription` per address (`--insert api`).
//!
//! Then, in this order:
//! - baseline: one digest mail composed once by the Mailer (the same bytes every time), sent
//!   N times over ONE raw SMTP connection in lock-step (MAIL, RCPT, DATA, wait for each reply;
//!   the sink offers no PIPELINING): the practical ceiling of this server on this machine;
//! - masthead: `digest::build` + `digest::send` with a Mailer on `smtp://127.0.0.1:PORT`
//!   (pool size 4, no rate limit; `digest::SEND_CONCURRENCY` mails in flight): per subscriber
//!   a rendered, signed-link mail, a delivery row claimed before and finished after.
//!
//! - diagnostic (`--diagnose` mails each, 0 to skip): the raw loop again, but writing the body
//!   and the final `.` line as two writes, as lettre 0.11 does, without TCP_NODELAY (lettre
//!   sets none) and with it: the first stalls ~40 ms a mail on Nagle's algorithm waiting for
//!   the server's delayed ACK. That is what held the masthead phase to ~23 msg/s while the
//!   Mailer used lettre's pooled transport; its own pool (plain and STARTTLS relays) now sets
//!   TCP_NODELAY. Implicit TLS (`smtps://`) still goes through lettre's pool and would stall.
//!
//! For each it prints the wall time, messages per second, the server's own count of messages
//! received and the peak memory (VmHWM of the whole process: store, sink and sender; reset
//! through /proc/self/clear_refs before each phase where the kernel allows it).

use std::collections::HashSet;
use std::error::Error;
use std::time::Instant;

use masthead_jobs::digest::{self, DigestSettings};
use masthead_mail::{MailAddress, MailSettings, Mailer, Transport, parse_smtp_url};
use masthead_model::{
    FullTextPolicy, NewStory, OffsetTime, Placement, Section, SiteSpec, SourceSpec,
};
use masthead_store::{SqliteStore, Store};
use masthead_testkit::smtp::Sink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

type BoxError = Box<dyn Error + Send + Sync>;

const FROM: &str = "news@bench-times.example";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Insert {
    Sql,
    Api,
}

struct Args {
    subscribers: usize,
    per_section: usize,
    insert: Insert,
    /// Mails per diagnostic run.
    diagnose: usize,
}

fn args() -> Result<Args, BoxError> {
    let mut args = Args {
        subscribers: 100_000,
        per_section: 5,
        insert: Insert::Sql,
        diagnose: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || -> Result<usize, BoxError> {
            value
                .parse()
                .map_err(|e| format!("{flag} {value:?}: {e}").into())
        };
        match flag.as_str() {
            "--subscribers" => args.subscribers = number()?.max(1),
            "--per-section" => args.per_section = number()?.max(1),
            "--diagnose" => args.diagnose = number()?,
            "--insert" => {
                args.insert = match value.as_str() {
                    "sql" => Insert::Sql,
                    "api" => Insert::Api,
                    _ => return Err(format!("--insert {value:?}: sql or api").into()),
                }
            }
            _ => return Err(format!("unknown flag {flag:?}").into()),
        }
    }
    Ok(args)
}

/// A field of /proc/self/status, e.g. `VmHWM`.
fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|l| {
                l.strip_prefix(field)
                    .and_then(|v| v.strip_prefix(':'))
                    .map(|v| v.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Resets VmHWM to the current RSS (Linux 4.0+); false when the kernel refuses.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// 30 stories, one every 30 minutes back from a minute ago, in the one section.
async fn add_stories(store: &dyn Store, site: i64) -> Result<(), BoxError> {
    let source = store
        .upsert_source(&SourceSpec {
            name: "Bench Wire".into(),
            url: "https://wire.bench.example/feed.xml".into(),
            section: Some("world".into()),
            dateline: None,
            full_text: FullTextPolicy::Never,
            interval_secs: 900,
        })
        .await?;
    let now = OffsetTime::now_utc().unix_micros;
    for i in 0..30_i64 {
        let published = OffsetTime::new(now - 60_000_000 - i * 1_800_000_000, 0)?;
        let text = format!(
            "HOBART, Australia: The council met on Monday to discuss item {i}, a plan that has \
             divided residents for months.\n\nSupporters say the plan will bring new ferries, \
             wider footpaths and a market on the wharf; opponents say it costs too much."
        );
        let outcome = store
            .put_story(
                &NewStory {
                    source_id: source.id,
                    guid: format!("bench-{i}"),
                    url: Some(format!("https://wire.bench.example/news/{i}")),
                    headline: format!("Council\u{2019}s harbour plan, part {i}, goes to a vote"),
                    standfirst: None,
                    byline: Some(format!("Reporter {i}")),
                    dateline: None,
                    published,
                    updated: None,
                    content_html: text.split("\n\n").map(|p| format!("<p>{p}</p>")).collect(),
                    text,
                    image: None,
                    categories: vec!["World".into()],
                    content_hash: format!("hash-{i}"),
                    canonical_url: None,
                },
                None,
            )
            .await?;
        store
            .place(&Placement {
                story_id: outcome.id(),
                site_id: site,
                section: "world".into(),
            })
            .await?;
    }
    Ok(())
}

/// N confirmed subscribers `reader{i}@bench.example`.
async fn add_subscribers(
    store: &SqliteStore,
    site: i64,
    n: usize,
    how: Insert,
) -> Result<(), BoxError> {
    let now = OffsetTime::now_utc();
    match how {
        Insert::Sql => {
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
                 INSERT INTO subscribers (site_id, email, status, created_at, created_offset,
                                          confirmed_at, confirmed_offset)
                 SELECT ?1, 'reader' || i || '@bench.example', 'confirmed', ?3, 0, ?3, 0
                 FROM n",
            )
            .bind(site)
            .bind(i64::try_from(n)?)
            .bind(now.unix_micros)
            .execute(store.pool())
            .await?;
            sqlx::query("ANALYZE").execute(store.pool()).await?;
        }
        Insert::Api => {
            let expires = now.unix_micros + 86_400_000_000;
            for i in 1..=n {
                let hash = format!("bench-token-{i}");
                store
                    .subscribe_request(
                        site,
                        &format!("reader{i}@bench.example"),
                        &hash,
                        expires,
                        now,
                    )
                    .await?;
                store.confirm_subscription(&hash, now).await?;
            }
        }
    }
    Ok(())
}

/// Reads one SMTP reply (all its lines) and checks its code class.
async fn expect(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    line: &mut String,
    class: u8,
) -> Result<(), BoxError> {
    loop {
        line.clear();
        if lines.read_line(line).await? == 0 {
            return Err("the server closed the connection".into());
        }
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    if line.as_bytes().first() != Some(&class) {
        return Err(format!("unexpected reply {:?}", line.trim_end()).into());
    }
    Ok(())
}

/// How the raw loop writes a message.
#[derive(Clone, Copy)]
struct Style {
    /// Body and the final `.` line as two writes (as lettre 0.11 does), not one.
    split: bool,
    /// TCP_NODELAY on the client socket (lettre 0.11 does not set it).
    nodelay: bool,
}

/// The baseline: `bytes` (one composed mail, dot-stuffed here once) sent `n` times over one
/// connection, in lock-step. Recipients are `reader{first}`, `reader{first+1}`, ….
async fn raw_loop(
    addr: std::net::SocketAddr,
    bytes: &[u8],
    first: usize,
    n: usize,
    style: Style,
) -> Result<(), BoxError> {
    let mut data = Vec::with_capacity(bytes.len() + 64);
    for piece in bytes.split_inclusive(|b| *b == b'\n') {
        if piece.first() == Some(&b'.') {
            data.push(b'.');
        }
        data.extend_from_slice(piece);
    }
    if !data.ends_with(b"\r\n") {
        data.extend_from_slice(b"\r\n");
    }
    let body_len = data.len();
    data.extend_from_slice(b".\r\n");
    let (body, end) = data.split_at(body_len);
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(style.nodelay)?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut line = String::new();
    expect(&mut lines, &mut line, b'2').await?;
    write.write_all(b"EHLO bench.localhost\r\n").await?;
    expect(&mut lines, &mut line, b'2').await?;
    let mail_from = format!("MAIL FROM:<{FROM}>\r\n");
    for i in first..first + n {
        write.write_all(mail_from.as_bytes()).await?;
        expect(&mut lines, &mut line, b'2').await?;
        write
            .write_all(format!("RCPT TO:<reader{i}@bench.example>\r\n").as_bytes())
            .await?;
        expect(&mut lines, &mut line, b'2').await?;
        write.write_all(b"DATA\r\n").await?;
        expect(&mut lines, &mut line, b'3').await?;
        if style.split {
            write.write_all(body).await?;
            write.write_all(end).await?;
        } else {
            write.write_all(&data).await?;
        }
        expect(&mut lines, &mut line, b'2').await?;
    }
    write.write_all(b"QUIT\r\n").await?;
    expect(&mut lines, &mut line, b'2').await?;
    Ok(())
}

fn distinct(recipients: &[String]) -> usize {
    recipients.iter().collect::<HashSet<_>>().len()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = args()?;
    let n = args.subscribers;
    let path =
        std::env::temp_dir().join(format!("masthead-bench-digest-{}.db", std::process::id()));
    remove_db(&path);
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await?;
    store.migrate().await?;
    let site = store
        .upsert_site(&SiteSpec {
            slug: "bench-times".into(),
            name: "Bench Times".into(),
            hosts: vec!["bench.localhost".into()],
            time_zone: "UTC".into(),
            tagline: String::new(),
            sections: vec![Section {
                slug: "world".into(),
                name: "World".into(),
            }],
        })
        .await?;
    add_stories(&store, site.id).await?;
    let started = Instant::now();
    add_subscribers(&store, site.id, n, args.insert).await?;
    println!(
        "{n} confirmed subscribers inserted in {:.2} s ({}); 30 stories placed",
        started.elapsed().as_secs_f64(),
        match args.insert {
            Insert::Sql => "one INSERT … SELECT through SqliteStore::pool()",
            Insert::Api => "subscribe_request + confirm_subscription per address",
        }
    );

    // The digest whose send hour is the next full hour: its 24-hour window ends after now.
    let next = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let date = next.date().to_string();
    let hour = u8::try_from(next.hour())?;
    let built = digest::build(&store, &site, &date, hour, args.per_section).await?;
    let settings = DigestSettings {
        base_url: url::Url::parse("https://news.bench.example/")?,
        secret: b"0123456789abcdef0123456789abcdef-bench".to_vec(),
        per_section: args.per_section,
        owner: "bench".into(),
        lease_secs: 600,
    };

    let sink = Sink::start_counting().await;
    let mailer = Mailer::new(MailSettings {
        from: MailAddress::new("Bench Times", FROM),
        transport: Transport::Smtp(parse_smtp_url(&format!("smtp://{}", sink.addr))?),
        dkim: None,
        rate_per_second: None,
        pool_size: 4,
    })?;
    let sample = store.subscribers(site.id, 0, 1).await?;
    let sample = sample.first().ok_or("no subscriber")?;
    let composed = mailer
        .compose(&digest::address(&built, &settings, sample)?.ok_or("the digest has no story")?)?;
    println!(
        "digest of {date} (send hour {hour}:00 UTC): {} stories; one mail is {} bytes",
        built.story_count(),
        composed.bytes.len()
    );

    let peak_resettable = reset_peak();
    let started = Instant::now();
    let one_write = Style {
        split: false,
        nodelay: true,
    };
    raw_loop(sink.addr, &composed.bytes, 1, n, one_write).await?;
    let base_wall = started.elapsed().as_secs_f64();
    let base_count = sink.count();
    let base_rate = n as f64 / base_wall;
    println!(
        "baseline: {base_wall:.2} s wall, {base_rate:.0} msg/s; server received {base_count} messages ({} distinct recipients); peak memory (VmHWM{}) {}",
        distinct(&sink.recipients()),
        if peak_resettable {
            ", this phase"
        } else {
            ", whole run so far"
        },
        proc_status("VmHWM"),
    );

    let peak_resettable = reset_peak();
    let started = Instant::now();
    let report = digest::send(&store, &mailer, &settings, &built).await?;
    let wall = started.elapsed().as_secs_f64();
    let recipients = sink.recipients();
    let received = sink.count() - base_count;
    let distinct_masthead = distinct(recipients.get(base_count..).unwrap_or_default());
    let rate = n as f64 / wall;
    println!(
        "masthead: {wall:.2} s wall, {rate:.0} msg/s; server received {received} messages ({distinct_masthead} distinct recipients){}; peak memory (VmHWM{}) {}; report: {} sent, {} failed, {} skipped",
        if received == n { "" } else { " — NOT N" },
        if peak_resettable {
            ", this phase"
        } else {
            ", whole run"
        },
        proc_status("VmHWM"),
        report.sent,
        report.failed,
        report.skipped,
    );
    let (sent, failed, sending) = store.delivery_counts(site.id, &date).await?;
    println!(
        "deliveries recorded: {sent} sent, {failed} failed, {sending} sending; sink connections: {} (1 baseline + masthead's pool)",
        sink.connections()
    );
    println!(
        "ratio masthead/baseline: {:.4} ({rate:.0} / {base_rate:.0} msg/s)",
        rate / base_rate
    );
    // What masthead's own work costs without the wire: address + compose every subscriber.
    let started = Instant::now();
    let (mut after, mut composed_bytes) = (0, 0_usize);
    loop {
        let page = store.subscribers(site.id, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for subscriber in &page {
            if let Some(mail) = digest::address(&built, &settings, subscriber)? {
                composed_bytes += mailer.compose(&mail)?.bytes.len();
            }
        }
    }
    let wall_render = started.elapsed().as_secs_f64();
    println!(
        "render only (address + compose per subscriber, no SMTP, no delivery rows): {wall_render:.2} s, {:.0} mails/s, {:.0} MiB composed",
        n as f64 / wall_render,
        composed_bytes as f64 / (1024.0 * 1024.0)
    );
    // Why the two differ: the same raw loop writing body and terminator apart, as lettre
    // does, without and with TCP_NODELAY (a short run each: the first costs ~40 ms a mail).
    let before = sink.count();
    for (label, nodelay) in [("without", false), ("with", true)] {
        let started = Instant::now();
        let style = Style {
            split: true,
            nodelay,
        };
        raw_loop(sink.addr, &composed.bytes, 1, args.diagnose, style).await?;
        let wall = started.elapsed().as_secs_f64();
        println!(
            "diagnostic: raw loop, body and final dot as two writes, {label} TCP_NODELAY: {} mails in {wall:.2} s, {:.0} msg/s",
            args.diagnose,
            args.diagnose as f64 / wall
        );
    }
    let diagnostic = sink.count() - before;
    let again = digest::send(&store, &mailer, &settings, &built).await?;
    println!(
        "sending the same day again: {} mailed; server total still {}",
        again.sent,
        sink.count() - base_count - diagnostic
    );
    store.pool().close().await;
    drop(store);
    remove_db(&path);
    if received != n || distinct_masthead != n {
        return Err(format!("the server received {received} digests for {n} subscribers").into());
    }
    Ok(())
}
