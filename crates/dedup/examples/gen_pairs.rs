//! Writes `testdata/pairs.jsonl`, the labelled near-duplicate set, from the invented wire
//! stories in `testdata/base_stories.txt`.
//!
//! Input: the base stories (path as the first argument, default the crate's testdata).
//! Output: one labelled pair a line on stdout. Deterministic (a fixed-seed SplitMix64), so the
//! committed file can be regenerated and reviewed:
//! `cargo run -p masthead-dedup --example gen_pairs > crates/dedup/testdata/pairs.jsonl`.
//!
//! Duplicates: `repost` (new headline suffix, dateline style, apostrophes, byline, paragraph
//! breaks), `boilerplate` (an outlet's header and footer around the same body), `rewrite`
//! (synonym swaps, paragraphs moved, last paragraph trimmed, new headline; sometimes against
//! another outlet's re-post), `correction` (a figure or a name changed with a note, or an
//! update paragraph added). Different stories: `same-topic` (one group: two Kyiv stories, two
//! earnings reports, a match preview and its report), `same-dateline`, `boilerplate` (two
//! stories in the same outlet's wrapper) and `same-day`.
#![expect(
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a dev-only generator over our own committed ASCII-delimited input; a panic here \
              is a bug in the generator, not outside data"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug)]
struct Story {
    _id: String,
    group: String,
    dateline: String,
    headline: String,
    paragraphs: Vec<String>,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn parse(body: &str) -> Vec<Story> {
    let mut out: Vec<Story> = Vec::new();
    let mut para = String::new();
    for line in body.lines() {
        if line.starts_with('#') && out.is_empty() {
            continue;
        }
        if let Some(head) = line.strip_prefix("==== ") {
            let f: Vec<&str> = head.split_whitespace().collect();
            out.push(Story {
                _id: f[0].into(),
                group: f[1].into(),
                dateline: f[2].into(),
                headline: String::new(),
                paragraphs: Vec::new(),
            });
            continue;
        }
        let Some(s) = out.last_mut() else { continue };
        if s.headline.is_empty() {
            s.headline = line.trim().into();
        } else if line.trim().is_empty() {
            if !para.is_empty() {
                s.paragraphs.push(std::mem::take(&mut para));
            }
        } else {
            para = line.trim().into();
            s.paragraphs.push(std::mem::take(&mut para));
        }
    }
    out
}

fn text(paragraphs: &[String]) -> String {
    paragraphs.join("\n\n")
}

const SYNONYMS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("told", "informed"),
    ("expected", "anticipated"),
    ("rose", "climbed"),
    ("fell", "dropped"),
    ("cut", "reduced"),
    ("raise", "increase"),
    ("large", "big"),
    ("largest", "biggest"),
    ("officials", "authorities"),
    ("company", "firm"),
    ("residents", "inhabitants"),
    ("damaged", "hit"),
    ("warned", "cautioned"),
    ("forced", "compelled"),
    ("urged", "called on"),
    ("talks", "negotiations"),
    ("agreement", "accord"),
    ("deal", "pact"),
    ("help", "assist"),
    ("strong", "robust"),
    ("weak", "soft"),
    ("approved", "passed"),
    ("shares", "stock"),
    ("homes", "houses"),
    ("children", "kids"),
    ("spokesman", "spokesperson"),
    ("nearly", "almost"),
    ("about", "around"),
    ("after", "following"),
    ("before", "ahead of"),
    ("remain", "stay"),
    ("remained", "stayed"),
    ("continue", "keep"),
    ("percent", "per cent"),
    ("announced", "unveiled"),
    ("began", "started"),
    ("meeting", "session"),
    ("month", "four weeks"),
    ("people", "persons"),
    ("highest", "steepest"),
    ("killed", "left dead"),
    ("statement", "release"),
    ("also", "additionally"),
    ("more than", "over"),
    ("on Monday", "Monday"),
    ("on Tuesday", "Tuesday"),
    ("on Wednesday", "Wednesday"),
    ("on Thursday", "Thursday"),
    ("on Friday", "Friday"),
    ("on Saturday", "Saturday"),
    ("on Sunday", "Sunday"),
];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Replaces whole words (or two-word phrases) from SYNONYMS with probability `p`.
fn swap_words(s: &str, p: f64, rng: &mut Rng) -> String {
    let mut out = s.to_owned();
    for (from, to) in SYNONYMS {
        for (f, t) in [
            (from.to_string(), to.to_string()),
            (capitalize(from), capitalize(to)),
        ] {
            let mut result = String::new();
            let mut rest = out.as_str();
            while let Some(i) = rest.find(&f) {
                let before_ok = rest[..i]
                    .chars()
                    .last()
                    .is_none_or(|c| !c.is_alphanumeric());
                let after = &rest[i + f.len()..];
                let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
                result.push_str(&rest[..i]);
                if before_ok && after_ok && rng.chance(p) {
                    result.push_str(&t);
                } else {
                    result.push_str(&f);
                }
                rest = after;
            }
            result.push_str(rest);
            out = result;
        }
    }
    out
}

const OUTLETS: &[(&str, &[&str], &[&str])] = &[
    (
        "Orlando Echo",
        &["Subscribe to the Orlando Echo daily newsletter for the day's top stories."],
        &[
            "Get a daily dose of Orlando Echo news through our daily email, it's complimentary and keeps you up to date with world and business news.",
            "© 2025 Big News Network. All rights reserved.",
        ],
    ),
    (
        "Capital Wire",
        &["Listen to this article · 4 min", "Advertisement"],
        &[
            "This story was originally published by Capital Wire and is republished with permission.",
            "Capital Wire is an independent, nonprofit newsroom covering government, business and the people they affect in the region and beyond, supported by readers, foundations and local businesses who believe that an informed public is the foundation of a working democracy.",
        ],
    ),
    (
        "Daily Ledger",
        &["Published 3 hours ago"],
        &[
            "(Reporting by Anna Petrova and Tom Hale; Editing by Mark Heinrich)",
            "Follow us on Facebook and X for breaking news.",
            "Copyright 2025 Daily Ledger. This material may not be published, broadcast, rewritten or redistributed.",
        ],
    ),
    (
        "Valley Times",
        &["ADVERTISEMENT", "Story continues below"],
        &[
            "Send us a tip: newsroom@valleytimes.example",
            "Have a question about this story? Our reporters answer readers every Friday in the Valley Times mailbag, which you can find in the weekend print edition and on our website.",
        ],
    ),
];

fn wrap(s: &Story, outlet: usize, related: &str) -> (String, String) {
    let (name, header, footer) = OUTLETS[outlet % OUTLETS.len()];
    let mut ps: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    ps.extend(s.paragraphs.iter().cloned());
    ps.extend(footer.iter().map(|f| f.to_string()));
    ps.push(format!("Related: {related}"));
    (format!("{} - {name}", s.headline), text(&ps))
}

/// A different dateline style for the same place: agency tag, colon, dash, or none.
fn restyle_dateline(p: &str, rng: &mut Rng) -> String {
    let seps = [": ", " — ", " - ", " (AP) — ", " (Reuters) - "];
    for sep in seps
        .iter()
        .chain([", Ukraine: ", ", D.C.: ", ", Kentucky: "].iter())
    {
        if let Some(i) = p.find(sep)
            && i < 40
            && p[..i].chars().next().is_some_and(|c| c.is_uppercase())
            && p[..i].chars().filter(|c| c.is_lowercase()).count() == 0
        {
            let place = &p[..i];
            let rest = &p[i + sep.len()..];
            return match rng.below(3) {
                0 => format!("{place} (AP) — {rest}"),
                1 => format!("{place}: {rest}"),
                _ => rest.to_owned(),
            };
        }
    }
    p.to_owned()
}

fn repost(s: &Story, rng: &mut Rng) -> (String, String) {
    let mut ps = s.paragraphs.clone();
    if let Some(first) = ps.first_mut() {
        *first = restyle_dateline(first, rng);
    }
    let mut t = text(&ps);
    if rng.chance(0.5) {
        t = t.replace('\'', "’");
    }
    if rng.chance(0.5) {
        t = t.replace("\n\n", "\n");
    }
    let byline = [
        "By Staff Reporter",
        "By Maria Lopez, Associated Press",
        "Big News Network",
    ];
    t = format!("{}\n\n{t}", rng.pick(&byline));
    let headline = match rng.below(3) {
        0 => format!("{} | World News", s.headline),
        1 => s.headline.to_uppercase(),
        _ => format!("UPDATE 1-{}", s.headline),
    };
    (headline, t)
}

fn rewrite(s: &Story, rng: &mut Rng) -> (String, String) {
    let intensity = 0.3 + 0.5 * (rng.below(100) as f64 / 100.0);
    let mut ps: Vec<String> = s
        .paragraphs
        .iter()
        .map(|p| swap_words(p, intensity, rng))
        .collect();
    if ps.len() > 3 && rng.chance(0.6) {
        // Move a middle paragraph down, as a second desk restructures the copy.
        let p = ps.remove(1);
        ps.insert(2, p);
    }
    if ps.len() > 3 && rng.chance(0.5) {
        ps.pop();
    }
    if let Some(first) = ps.first_mut() {
        *first = restyle_dateline(first, rng);
    }
    let headline = swap_words(&s.headline, 0.9, rng);
    (headline, text(&ps))
}

fn bump_number(p: &str) -> Option<String> {
    // The first run of digits gets its last digit changed.
    let start = p.find(|c: char| c.is_ascii_digit())?;
    let len = p[start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(p.len() - start);
    let end = start + len;
    let last = p[end - 1..end].parse::<u32>().ok()?;
    Some(format!("{}{}{}", &p[..end - 1], (last + 3) % 10, &p[end..]))
}

fn correction(s: &Story, rng: &mut Rng) -> (String, String) {
    let mut ps = s.paragraphs.clone();
    match rng.below(3) {
        0 => {
            let i = (1..ps.len())
                .find(|&i| bump_number(&ps[i]).is_some())
                .unwrap_or(0);
            if let Some(p) = bump_number(&ps[i]) {
                ps[i] = p;
            }
            ps.push("Correction: An earlier version of this story misstated a figure in the second paragraph.".into());
        }
        1 => {
            ps.insert(
                ps.len().min(2),
                "Later in the day, officials said they would release more details at a news conference on Wednesday morning, and that the situation was being reviewed hour by hour.".into(),
            );
        }
        _ => {
            // A name respelled wherever it occurs (the first capitalized word of length ≥ 5
            // inside the second paragraph).
            let name = ps
                .get(1)
                .and_then(|p| {
                    p.split_whitespace().skip(1).find(|w| {
                        w.len() >= 5
                            && w.chars().all(char::is_alphabetic)
                            && w.chars().next().is_some_and(char::is_uppercase)
                    })
                })
                .map(str::to_owned);
            if let Some(name) = name {
                let fixed = format!("{}h{}", &name[..2], &name[2..]);
                for p in &mut ps {
                    *p = p.replace(&name, &fixed);
                }
            }
            ps.push("This story has been corrected to fix the spelling of a name.".into());
        }
    }
    (s.headline.clone(), text(&ps))
}

/// Second versions from `testdata/agency_stories.txt`: (base id, kind, story).
fn parse_agency(body: &str) -> Vec<(String, String, Story)> {
    let mut out: Vec<(String, String, Story)> = Vec::new();
    for line in body.lines() {
        if line.starts_with('#') && out.is_empty() {
            continue;
        }
        if let Some(head) = line.strip_prefix("==== ") {
            let f: Vec<&str> = head.split_whitespace().collect();
            out.push((
                f[0].into(),
                f[1].into(),
                Story {
                    _id: f[0].into(),
                    group: String::new(),
                    dateline: String::new(),
                    headline: String::new(),
                    paragraphs: Vec::new(),
                },
            ));
            continue;
        }
        let Some((_, _, s)) = out.last_mut() else {
            continue;
        };
        if s.headline.is_empty() {
            s.headline = line.trim().into();
        } else if !line.trim().is_empty() {
            s.paragraphs.push(line.trim().into());
        }
    }
    out
}

const COMPANIES: &[(&str, &str, &str)] = &[
    (
        "Alder Brands Inc.",
        "Alder",
        "Chief Executive Nora Lindgren",
    ),
    (
        "Brightwater Utilities Corp.",
        "Brightwater",
        "Chief Executive Samuel Osei",
    ),
    (
        "Crestline Logistics",
        "Crestline",
        "Chief Executive Hiro Tanaka",
    ),
    (
        "Dunmore Apparel Group",
        "Dunmore",
        "Chief Executive Clara Weiss",
    ),
    (
        "Everpine Software Inc.",
        "Everpine",
        "Chief Executive Rahul Mehta",
    ),
    (
        "Foxglove Pharmaceuticals",
        "Foxglove",
        "Chief Executive Ingrid Holm",
    ),
    (
        "Granite Peak Mining Ltd.",
        "Granite Peak",
        "Chief Executive Owen Pryce",
    ),
    (
        "Halcyon Hotels Corp.",
        "Halcyon",
        "Chief Executive Lucia Ferraro",
    ),
];

const REASONS_UP: &[&str] = &[
    "helped by strong demand in North America",
    "as price increases offset higher costs",
    "driven by record sales of its newest products",
    "helped by lower fuel and freight costs",
];
const REASONS_DOWN: &[&str] = &[
    "hurt by weak demand in Europe and China",
    "as higher wages and interest costs weighed on margins",
    "after a slowdown in orders from its largest customers",
    "hurt by a stronger dollar",
];

fn money(cents: usize) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// An earnings report from a template: the wire's house style with the company's figures.
fn earnings_story(i: usize, rng: &mut Rng) -> Story {
    let (name, short, ceo) = COMPANIES[i % COMPANIES.len()];
    let beat = rng.chance(0.5);
    let quarter = *rng.pick(&["first-quarter", "second-quarter", "third-quarter"]);
    let day = *rng.pick(&["Tuesday", "Wednesday", "Thursday"]);
    let ni = 80 + rng.below(900);
    let ni0 = if beat { ni * 8 / 10 } else { ni * 12 / 10 };
    let eps = 40 + rng.below(400);
    let eps0 = if beat { eps * 8 / 10 } else { eps * 12 / 10 };
    let exp = if beat {
        eps - 5 - rng.below(10)
    } else {
        eps + 5 + rng.below(10)
    };
    let rev = 10 + rng.below(80);
    let g = 2 + rng.below(12);
    let lo = eps * 4;
    let s = 1 + rng.below(8);
    let (verb, dir, reason, fc, move_) = if beat {
        ("beat", "rose", *rng.pick(REASONS_UP), "raised", "rose")
    } else {
        ("missed", "fell", *rng.pick(REASONS_DOWN), "cut", "fell")
    };
    Story {
        _id: format!("earn-template-{i}"),
        group: "earnings-template".into(),
        dateline: "NONE".into(),
        headline: format!(
            "{short} {quarter} profit {} estimates",
            if beat { "beats" } else { "misses" }
        ),
        paragraphs: vec![
            format!(
                "{name} on {day} reported {quarter} profit that {verb} analysts' estimates, {reason}, and {fc} its forecast for the full year."
            ),
            format!(
                "The company reported net income of ${ni} million, or ${} per share, compared with ${ni0} million, or ${} per share, a year earlier. Revenue {dir} {g} percent to ${}.{} billion. Analysts had expected earnings of ${} per share, according to LSEG data.",
                money(eps),
                money(eps0),
                rev / 10,
                rev % 10,
                money(exp)
            ),
            format!(
                "{short} now expects full-year earnings of ${} to ${} per share. {ceo} said the company was confident about the rest of the year.",
                money(lo),
                money(lo + 15)
            ),
            format!("Shares of the company {move_} {s} percent in premarket trading."),
        ],
    }
}

/// Teams of one league: (name, ground, manager, two players).
const TEAMS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Blackwater Rovers",
        "Mill Lane",
        "Tomas Lindqvist",
        "Jamal Okafor",
        "Aron Fischer",
    ),
    (
        "Eastfield City",
        "Eastfield Park",
        "Gareth Pole",
        "Daniel Moss",
        "Liam Byrne",
    ),
    (
        "Northgate United",
        "the Foundry",
        "Sofia Brandt",
        "Kenji Mori",
        "Paul Adeyemi",
    ),
    (
        "Southport Albion",
        "Marine Road",
        "Colm Reilly",
        "Luca Ferri",
        "Ben Asante",
    ),
    (
        "Westmere Athletic",
        "Westmere Stadium",
        "Dara Quinn",
        "Max Holloway",
        "Yusuf Kaya",
    ),
    (
        "Harbourside FC",
        "the Quay",
        "Ian Mercer",
        "Theo Blanc",
        "Sam Ortiz",
    ),
];

/// A match report from a template: a different game of the same league.
fn match_story(home: usize, away: usize, rng: &mut Rng) -> Story {
    let (hn, hg, hm, hp1, hp2) = TEAMS[home % TEAMS.len()];
    let (an, _, am, ap1, _) = TEAMS[away % TEAMS.len()];
    let hs = 1 + rng.below(3);
    let as_ = rng.below(hs);
    let minute = 60 + rng.below(30);
    let first = 10 + rng.below(35);
    let pos = *rng.pick(&["second", "third", "fourth", "fifth"]);
    let day = *rng.pick(&["Saturday", "Sunday"]);
    Story {
        _id: format!("match-{home}-{away}"),
        group: "match-template".into(),
        dateline: "NONE".into(),
        headline: format!("{hn} beat {an} {hs}-{as_} to climb to {pos}"),
        paragraphs: vec![
            format!(
                "{hp1} scored in the {minute}th minute as {hn} beat {an} {hs}-{as_} at {hg} on {day} to move up to {pos} in the Premier Division."
            ),
            format!(
                "{hp2} had given {hn} the lead in the {first}th minute, and {ap1} equalized for {an} before halftime with a shot from the edge of the area."
            ),
            format!(
                "{hn} manager {hm} said his side had deserved the win. {an} manager {am} said his players had been unlucky and would learn from it."
            ),
            format!(
                "{an} have now gone {} matches without a win.",
                2 + rng.below(5)
            ),
        ],
    }
}

fn side(h: &str, t: &str) -> serde_json::Value {
    serde_json::json!({ "headline": h, "text": t })
}

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/base_stories.txt")
        });
    let body = std::fs::read_to_string(&path).expect("base stories");
    let stories = parse(&body);
    let mut rng = Rng(0x005e_ed0f_d00d);
    let mut out: Vec<serde_json::Value> = Vec::new();
    let mut emit = |a: (String, String), b: (String, String), dup: bool, kind: &str| {
        out.push(serde_json::json!({
            "a": side(&a.0, &a.1), "b": side(&b.0, &b.1), "duplicate": dup, "kind": kind
        }));
    };
    let base = |s: &Story| (s.headline.clone(), text(&s.paragraphs));
    let n = stories.len();

    for (i, s) in stories.iter().enumerate() {
        let other = &stories[(i + 7) % n].headline;
        emit(base(s), repost(s, &mut rng), true, "repost");
        emit(base(s), wrap(s, i, other), true, "boilerplate");
        emit(base(s), rewrite(s, &mut rng), true, "rewrite");
        if i % 2 == 0 {
            emit(wrap(s, i + 1, other), rewrite(s, &mut rng), true, "rewrite");
        }
        emit(base(s), correction(s, &mut rng), true, "correction");
    }

    let mut groups: BTreeMap<&str, Vec<&Story>> = BTreeMap::new();
    for s in &stories {
        groups.entry(&s.group).or_default().push(s);
    }
    for members in groups.values() {
        for (x, a) in members.iter().enumerate() {
            for b in members.iter().skip(x + 1) {
                let o = rng.below(OUTLETS.len());
                emit(base(a), base(b), false, "same-topic");
                emit(
                    wrap(a, o, &b.headline),
                    wrap(b, o, &a.headline),
                    false,
                    "same-topic",
                );
                emit(
                    rewrite(a, &mut rng),
                    repost(b, &mut rng),
                    false,
                    "same-topic",
                );
            }
        }
    }
    for (x, a) in stories.iter().enumerate() {
        for b in stories.iter().skip(x + 1) {
            if a.dateline != "NONE" && a.dateline == b.dateline && a.group != b.group {
                let o = rng.below(OUTLETS.len());
                emit(base(a), base(b), false, "same-dateline");
                emit(
                    wrap(a, o, &b.headline),
                    wrap(b, o, &a.headline),
                    false,
                    "same-dateline",
                );
                emit(rewrite(a, &mut rng), base(b), false, "same-dateline");
            }
        }
    }
    let mut made = 0;
    while made < 50 {
        let (a, b) = (&stories[rng.below(n)], &stories[rng.below(n)]);
        if a.group == b.group {
            continue;
        }
        if made % 2 == 0 {
            let o = rng.below(OUTLETS.len());
            emit(
                wrap(a, o, &b.headline),
                wrap(b, o, &a.headline),
                false,
                "boilerplate",
            );
        } else {
            emit(base(a), base(b), false, "same-day");
        }
        made += 1;
    }

    // Agency rewrites (duplicates) and follow-ups (different stories sharing names).
    let agency_path = std::env::args_os()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/agency_stories.txt")
        });
    let agency = parse_agency(&std::fs::read_to_string(&agency_path).expect("agency stories"));
    let by_id = |id: &str| {
        stories
            .iter()
            .position(|s| s._id == id)
            .expect("every agency story names a base story")
    };
    let agency_of = |id: &str| {
        agency
            .iter()
            .find(|(b, k, _)| b == id && k == "agency")
            .map(|(_, _, s)| s)
    };
    for (x, (base_id, kind, second)) in agency.iter().enumerate() {
        let i = by_id(base_id);
        let s = &stories[i];
        let other = &stories[(i + 11) % n].headline;
        match kind.as_str() {
            "agency" => {
                emit(base(s), base(second), true, "agency-rewrite");
                if x % 2 == 0 {
                    emit(
                        repost(s, &mut rng),
                        wrap(second, x, other),
                        true,
                        "agency-rewrite",
                    );
                }
            }
            "followup" => {
                emit(base(s), base(second), false, "follow-up");
                if let Some(a) = agency_of(base_id) {
                    emit(wrap(a, x, other), base(second), false, "follow-up");
                }
            }
            other => {
                eprintln!("agency_stories.txt: unknown kind {other}");
                std::process::exit(1);
            }
        }
    }
    // Same topic, shared names: one story's agency version against its group's others.
    for members in groups.values() {
        for (x, a) in members.iter().enumerate() {
            for b in members.iter().skip(x + 1) {
                if let Some(aa) = agency_of(&a._id) {
                    emit(base(aa), base(b), false, "same-topic");
                }
            }
        }
    }
    // Templated stories: earnings reports with other figures, games of one league.
    let earnings: Vec<Story> = (0..COMPANIES.len())
        .map(|i| earnings_story(i, &mut rng))
        .collect();
    for (x, a) in earnings.iter().enumerate() {
        for b in earnings.iter().skip(x + 1).take(3) {
            emit(base(a), base(b), false, "template-earnings");
        }
    }
    let games: Vec<Story> = [
        (0, 1),
        (2, 3),
        (4, 5),
        (1, 2),
        (3, 0),
        (5, 4),
        (0, 2),
        (3, 5),
    ]
    .iter()
    .map(|&(h, a)| match_story(h, a, &mut rng))
    .collect();
    for (x, a) in games.iter().enumerate() {
        for b in games.iter().skip(x + 1).take(3) {
            emit(base(a), base(b), false, "template-match");
        }
    }
    for v in out {
        println!("{v}");
    }
}
