//! Search latency over a large generated network: fills a SQLite file (and, when
//! `MASTHEAD_TEST_DATABASE_URL` is set, a fresh PostgreSQL database) with generated stories
//! placed on one site, then times `Store::search` for 1,000 queries of 1–3 words and prints
//! p50 and p95 per backend.
//!
//! ```text
//! cargo run --release -p masthead-store --example bench_search -- [STORIES] [QUERIES]
//! ```
//! STORIES defaults to 1,000,000, QUERIES to 1,000. Rows are written in batches straight
//! through sqlx (the search index is still kept by the schema's own triggers and generated
//! column); bodies are 40–90 words drawn from a Zipf-distributed vocabulary of 40,000 words, so
//! the common words hit most stories and the rare ones a few hundred. Query words are drawn
//! log-uniformly by rank, so queries span that whole range. One story in ten joins an earlier
//! story's cluster. Everything is seeded: runs are comparable.

use std::time::{Duration, Instant};

use masthead_model::{SearchQuery, Section, SiteSpec, SourceSpec};
use masthead_store::{PostgresStore, SqliteStore, Store};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, QueryBuilder};

const VOCABULARY: usize = 40_000;
const BATCH: usize = 1_000;
const SECTIONS: [&str; 4] = ["world", "business", "sports", "science"];
/// 2023-01-01T00:00:00Z; stories spread over the two years after it.
const START: i64 = 1_672_531_200_000_000;
const SPAN: i64 = 2 * 365 * 86_400_000_000;

/// Common news words take the top ranks; made-up words the long tail.
const COMMON: &[&str] = &[
    "government",
    "president",
    "minister",
    "police",
    "court",
    "election",
    "market",
    "company",
    "report",
    "people",
    "city",
    "state",
    "country",
    "talks",
    "deal",
    "war",
    "peace",
    "team",
    "game",
    "season",
    "coach",
    "player",
    "storm",
    "fire",
    "flood",
    "health",
    "hospital",
    "school",
    "students",
    "prices",
    "oil",
    "bank",
    "rates",
    "inflation",
    "trade",
    "tariffs",
    "budget",
    "tax",
    "vote",
    "party",
    "leader",
    "council",
    "mayor",
    "governor",
    "senate",
    "congress",
    "law",
    "judge",
    "trial",
    "crash",
    "plane",
    "train",
    "road",
    "bridge",
    "water",
    "power",
    "energy",
    "climate",
    "science",
    "research",
    "space",
    "rocket",
    "moon",
    "virus",
    "vaccine",
    "doctors",
    "workers",
    "union",
    "strike",
    "jobs",
    "economy",
    "growth",
    "shares",
    "investors",
    "profit",
    "sales",
    "football",
    "cricket",
    "tennis",
    "final",
    "champions",
    "record",
    "music",
    "film",
    "festival",
    "museum",
    "art",
    "church",
    "army",
    "navy",
    "border",
    "refugees",
    "aid",
    "village",
    "farmers",
    "harvest",
    "drought",
    "earthquake",
    "volcano",
];

/// xorshift64*: small, seeded, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Words {
    words: Vec<String>,
    /// Cumulative Zipf (s = 1) weights, for picking a word by binary search.
    cdf: Vec<f64>,
}

impl Words {
    fn new(rng: &mut Rng) -> Self {
        const SYLLABLES: &[&str] = &[
            "ka", "ro", "mi", "ten", "sa", "lo", "ver", "an", "dor", "pel", "tu", "gra", "nis",
            "ba", "quel", "fi", "mon", "ar", "zen", "ul", "pra", "det", "sko", "ri", "van", "hel",
            "ot", "mar", "lu", "ped",
        ];
        let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < VOCABULARY {
            let n = 2 + rng.below(3);
            let word: String = (0..n)
                .map(|_| {
                    SYLLABLES
                        .get(rng.below(SYLLABLES.len()))
                        .copied()
                        .unwrap_or("a")
                })
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cdf = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { words, cdf }
    }

    fn zipf<'a>(&'a self, rng: &mut Rng) -> &'a str {
        let last = self.cdf.last().copied().unwrap_or(1.0);
        let target = rng.unit() * last;
        let i = self.cdf.partition_point(|c| *c < target);
        self.by_rank(i)
    }

    /// Rank drawn log-uniformly: as many queries for the top ten words as for ranks
    /// 10,000–40,000.
    fn log_uniform<'a>(&'a self, rng: &mut Rng) -> &'a str {
        let max = (self.words.len() as f64).ln();
        let i = (rng.unit() * max).exp() as usize;
        self.by_rank(i.saturating_sub(1))
    }

    fn by_rank(&self, i: usize) -> &str {
        self.words.get(i).map_or("news", String::as_str)
    }

    fn sentence(&self, rng: &mut Rng, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| self.zipf(rng)).collect();
        words.join(" ")
    }
}

struct Generated {
    id: i64,
    guid: String,
    slug: String,
    headline: String,
    dateline: Option<String>,
    published: i64,
    text: String,
    lead: String,
    cluster: i64,
    section: &'static str,
}

fn story(words: &Words, rng: &mut Rng, id: i64) -> Generated {
    let headline_words = 5 + rng.below(6);
    let headline = words.sentence(rng, headline_words);
    let mut paragraphs = Vec::new();
    let mut left = 40 + rng.below(51);
    while left > 0 {
        let n = left.min(15 + rng.below(15));
        paragraphs.push(format!("{}.", words.sentence(rng, n)));
        left -= n;
    }
    let text = paragraphs.join("\n\n");
    let lead = paragraphs.first().cloned().unwrap_or_default();
    // One story in ten joins an earlier story's cluster.
    let cluster = if id > 10 && rng.below(10) == 0 {
        id - 1 - rng.below(10) as i64
    } else {
        id
    };
    Generated {
        id,
        guid: format!("bench-{id}"),
        slug: format!("story-{id}"),
        headline,
        dateline: (rng.below(3) == 0).then(|| "KYIV, Ukraine".to_owned()),
        published: START + (rng.next() % SPAN as u64) as i64,
        text,
        lead,
        cluster,
        section: SECTIONS
            .get(rng.below(SECTIONS.len()))
            .copied()
            .unwrap_or("world"),
    }
}

/// The site and source every story hangs off.
async fn prepare(store: &dyn Store) -> Result<(i64, i64), Box<dyn std::error::Error>> {
    store.migrate().await?;
    let site = store
        .upsert_site(&SiteSpec {
            slug: "bench".to_owned(),
            name: "Bench Echo".to_owned(),
            hosts: vec!["bench.localhost".to_owned()],
            time_zone: "UTC".to_owned(),
            tagline: String::new(),
            sections: SECTIONS
                .iter()
                .map(|s| Section {
                    slug: (*s).to_owned(),
                    name: (*s).to_owned(),
                })
                .collect(),
        })
        .await?;
    let source = store
        .upsert_source(&SourceSpec {
            name: "Bench Wire".to_owned(),
            url: "https://bench.example/feed.xml".to_owned(),
            section: None,
            dateline: None,
            full_text: Default::default(),
            interval_secs: 900,
        })
        .await?;
    Ok((site.id, source.id))
}

fn push_stories<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, batch: &[Generated], source: i64)
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i32: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(
        "INSERT INTO stories (id, source_id, guid, slug, headline, dateline, published_at,
         published_offset, content_html, text, lead, content_hash, cluster_id, created_at) ",
    );
    qb.push_values(batch, |mut row, s| {
        row.push_bind(s.id)
            .push_bind(source)
            .push_bind(s.guid.clone())
            .push_bind(s.slug.clone())
            .push_bind(s.headline.clone())
            .push_bind(s.dateline.clone())
            .push_bind(s.published)
            .push_bind(0_i32)
            // Search never reads the HTML: an empty body keeps the file smaller.
            .push_bind(String::new())
            .push_bind(s.text.clone())
            .push_bind(s.lead.clone())
            .push_bind(format!("h{}", s.id))
            .push_bind(s.cluster)
            .push_bind(s.published);
    });
}

fn push_placements<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, batch: &[Generated], site: i64)
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'static str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push("INSERT INTO placements (story_id, site_id, section, published_at) ");
    qb.push_values(batch, |mut row, s| {
        row.push_bind(s.id)
            .push_bind(site)
            .push_bind(s.section)
            .push_bind(s.published);
    });
}

fn progress(done: usize, total: usize, started: Instant) {
    if done.is_multiple_of(100_000) || done == total {
        eprintln!(
            "  {done:>9} / {total} stories, {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
}

async fn fill_sqlite(
    store: &SqliteStore,
    site: i64,
    source: i64,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let words = Words::new(&mut Rng(0x5eed));
    let mut rng = Rng(0xfeed_beef);
    let started = Instant::now();
    let mut id = 1;
    while (id as usize) <= n {
        let mut tx = store.pool().begin().await?;
        // Ten batches per transaction: fewer commits, bounded memory.
        for _ in 0..10 {
            let end = (id + BATCH as i64).min(n as i64 + 1);
            if id >= end {
                break;
            }
            let batch: Vec<Generated> = (id..end).map(|i| story(&words, &mut rng, i)).collect();
            let mut qb = QueryBuilder::new("");
            push_stories(&mut qb, &batch, source);
            qb.build().execute(&mut *tx).await?;
            let mut qb = QueryBuilder::new("");
            push_placements(&mut qb, &batch, site);
            qb.build().execute(&mut *tx).await?;
            id = end;
        }
        tx.commit().await?;
        progress(id as usize - 1, n, started);
    }
    sqlx::query("INSERT INTO stories_fts (stories_fts) VALUES ('optimize')")
        .execute(store.pool())
        .await?;
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    eprintln!("  filled in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn fill_postgres(
    store: &PostgresStore,
    site: i64,
    source: i64,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let words = Words::new(&mut Rng(0x5eed));
    let mut rng = Rng(0xfeed_beef);
    let started = Instant::now();
    let mut id = 1;
    while (id as usize) <= n {
        let end = (id + BATCH as i64).min(n as i64 + 1);
        let batch: Vec<Generated> = (id..end).map(|i| story(&words, &mut rng, i)).collect();
        let mut tx = store.pool().begin().await?;
        let mut qb = QueryBuilder::new("");
        push_stories(&mut qb, &batch, source);
        qb.build().execute(&mut *tx).await?;
        let mut qb = QueryBuilder::new("");
        push_placements(&mut qb, &batch, site);
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        id = end;
        progress(id as usize - 1, n, started);
    }
    // Explicit ids bypassed the identity sequence: move it past them.
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT MAX(id) FROM stories))",
    )
    .execute(store.pool())
    .await?;
    sqlx::query("VACUUM ANALYZE stories")
        .execute(store.pool())
        .await?;
    sqlx::query("VACUUM ANALYZE placements")
        .execute(store.pool())
        .await?;
    eprintln!("  filled in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn run_queries(
    backend: &str,
    store: &dyn Store,
    site: i64,
    queries: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let words = Words::new(&mut Rng(0x5eed));
    let mut rng = Rng(0x0123_4567);
    let texts: Vec<String> = (0..queries)
        .map(|_| {
            let n = 1 + rng.below(3);
            let picked: Vec<&str> = (0..n).map(|_| words.log_uniform(&mut rng)).collect();
            picked.join(" ")
        })
        .collect();
    // Warm the caches the way a running server would be.
    for text in texts.iter().take(20) {
        store.search(site, &query(text)).await?;
    }
    let mut times = Vec::with_capacity(queries);
    let mut totals = Vec::with_capacity(queries);
    for text in &texts {
        let started = Instant::now();
        let page = store.search(site, &query(text)).await?;
        times.push(started.elapsed());
        totals.push(page.total);
    }
    times.sort_unstable();
    totals.sort_unstable();
    let empty = totals.iter().filter(|t| **t == 0).count();
    let median_total = totals.get(totals.len() / 2).copied().unwrap_or(0);
    let max_total = totals.last().copied().unwrap_or(0);
    println!(
        "{backend:>8}: {queries} queries  p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  \
         (hits per query: median {median_total}, max {max_total}, {empty} with none)",
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    Ok(())
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        limit: 20,
        ..SearchQuery::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let stories: usize = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let queries: usize = args.next().map_or(Ok(1_000), |a| a.parse())?;

    let path = std::env::temp_dir().join(format!("masthead_bench_search_{stories}.db"));
    let fresh = !path.exists();
    let url = format!("sqlite://{}", path.display());
    eprintln!(
        "sqlite: {} ({})",
        path.display(),
        if fresh { "filling" } else { "reusing" }
    );
    let sqlite = SqliteStore::open(&url).await?;
    let (site, source) = prepare(&sqlite).await?;
    if fresh {
        fill_sqlite(&sqlite, site, source, stories).await?;
    }
    run_queries("sqlite", &sqlite, site, queries).await?;
    drop(sqlite);

    match std::env::var("MASTHEAD_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("masthead_bench_search_{stories}");
            let mut admin = PgConnection::connect(&admin_url).await?;
            let exists: Option<(i32,)> =
                sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(&name)
                    .fetch_optional(&mut admin)
                    .await?;
            if exists.is_none() {
                admin
                    .execute(AssertSqlSafe(format!(
                        "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
                    )))
                    .await?;
            }
            admin.close().await?;
            let mut url = url::Url::parse(&admin_url)?;
            url.set_path(&format!("/{name}"));
            eprintln!(
                "postgres: database {name} ({})",
                if exists.is_none() {
                    "filling"
                } else {
                    "reusing"
                }
            );
            let pg = PostgresStore::open(url.as_str()).await?;
            let (site, source) = prepare(&pg).await?;
            if exists.is_none() {
                fill_postgres(&pg, site, source, stories).await?;
            }
            run_queries("postgres", &pg, site, queries).await?;
        }
        _ => eprintln!("note: MASTHEAD_TEST_DATABASE_URL is unset; PostgreSQL not measured"),
    }
    Ok(())
}
