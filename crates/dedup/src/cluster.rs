//! Incremental story clusters over a sliding time window.
//!
//! Input: stories one at a time (id, publication time, [`Sketch`]). Output: the cluster a new
//! story joins, or `None` when it starts its own. A new story is compared only with the
//! candidates that share a MinHash band with it (LSH banding), and only with stories published
//! within the window; stories older than the window are evicted, so memory follows the window,
//! not the archive. It never stores text and never decides which member a page shows.
//!
//! Why banded MinHash and not SimHash bit-buckets for candidates: a SimHash block index finds
//! copies that differ in a few bits (re-posts), but a light rewrite at Jaccard 0.5 differs in
//! about 15 of 64 bits, beyond any affordable block scheme. Bands of [`DedupSettings::band_rows`]
//! MinHash slots find pairs at the threshold with probability `1 - (1 - J^r)^b` (r = 3,
//! b = 42: 0.94 at J = 0.4, 0.996 at 0.5; 0.005 at J = 0.05), and the full MinHash confirms.
//! An agency rewrite (shingles 0.1–0.3) would mostly miss those bands, so a story with at
//! least [`crate::MIN_NAMES`] distinctive features also sits in 32 bands of 2 slots of its
//! distinctive-feature MinHash (found with probability 0.9996 at J = 0.65, 0.03 at 0.03),
//! and [`DedupSettings::is_duplicate`] decides.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use masthead_model::{ClusterId, StoryId};
use serde::Deserialize;

use crate::DedupError;
use crate::sketch::{
    DEFAULT_NAME_FLOOR, DEFAULT_NAME_THRESHOLD, DEFAULT_THRESHOLD, MINHASH_SLOTS, NAME_SLOTS,
    Sketch, name_similarity, similarity,
};

/// How the clusterer decides; part of the network's `Config` as `[dedup]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupSettings {
    /// Stories further apart than this never join one cluster (default 3 days).
    pub window_secs: i64,
    /// Estimated Jaccard similarity at or above which two stories are the same news.
    pub threshold: f64,
    /// MinHash slots per LSH band (default 3: 42 bands of 3). Fewer rows find more distant
    /// candidates at more comparisons; the threshold still decides.
    pub band_rows: usize,
    /// Second signal: distinctive-feature similarity ([`crate::name_similarity`]) at or above
    /// which two stories are the same news, provided their shingle similarity also reaches
    /// `name_floor`. Above 1 turns the second signal off.
    pub name_threshold: f64,
    /// The shingle similarity the second signal needs as well (a low floor).
    pub name_floor: f64,
    /// Distinctive-feature MinHash slots per LSH band (default 2: 32 bands of 2).
    pub name_band_rows: usize,
}

impl Default for DedupSettings {
    fn default() -> Self {
        Self {
            window_secs: 3 * 24 * 3600,
            threshold: DEFAULT_THRESHOLD,
            band_rows: 3,
            name_threshold: DEFAULT_NAME_THRESHOLD,
            name_floor: DEFAULT_NAME_FLOOR,
            name_band_rows: 2,
        }
    }
}

impl DedupSettings {
    /// Checks every value, naming the key that is out of range.
    pub fn validate(&self) -> Result<(), DedupError> {
        if self.window_secs <= 0 {
            return Err(DedupError::Setting {
                key: "dedup.window_secs",
                value: self.window_secs.to_string(),
                why: "must be positive",
            });
        }
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(DedupError::Setting {
                key: "dedup.threshold",
                value: self.threshold.to_string(),
                why: "must be in (0, 1]",
            });
        }
        if self.band_rows == 0 || self.band_rows > MINHASH_SLOTS {
            return Err(DedupError::Setting {
                key: "dedup.band_rows",
                value: self.band_rows.to_string(),
                why: "must be between 1 and 128",
            });
        }
        if self.name_threshold.is_nan() || self.name_threshold <= 0.0 {
            return Err(DedupError::Setting {
                key: "dedup.name_threshold",
                value: self.name_threshold.to_string(),
                why: "must be positive (above 1 turns the second signal off)",
            });
        }
        if !(self.name_floor > 0.0 && self.name_floor <= 1.0) {
            return Err(DedupError::Setting {
                key: "dedup.name_floor",
                value: self.name_floor.to_string(),
                why: "must be in (0, 1]",
            });
        }
        if self.name_band_rows == 0 || self.name_band_rows > NAME_SLOTS {
            return Err(DedupError::Setting {
                key: "dedup.name_band_rows",
                value: self.name_band_rows.to_string(),
                why: "must be between 1 and 64",
            });
        }
        Ok(())
    }

    /// True when two sketches are the same news: shingle similarity at least `threshold`, or
    /// distinctive-feature similarity at least `name_threshold` with shingle similarity at
    /// least `name_floor`.
    pub fn is_duplicate(&self, a: &Sketch, b: &Sketch) -> bool {
        Rule::from(self).is_duplicate(a, b)
    }
}

/// The decision part of the settings, clamped.
#[derive(Clone, Copy, Debug)]
struct Rule {
    threshold: f64,
    name_threshold: f64,
    name_floor: f64,
}

impl From<&DedupSettings> for Rule {
    fn from(s: &DedupSettings) -> Self {
        let clamp = |v: f64, default: f64, max: f64| {
            if v.is_nan() {
                default
            } else {
                v.clamp(f64::MIN_POSITIVE, max)
            }
        };
        Self {
            threshold: clamp(s.threshold, DEFAULT_THRESHOLD, 1.0),
            name_threshold: clamp(s.name_threshold, DEFAULT_NAME_THRESHOLD, f64::INFINITY),
            name_floor: clamp(s.name_floor, DEFAULT_NAME_FLOOR, 1.0),
        }
    }
}

impl Rule {
    fn is_duplicate(&self, a: &Sketch, b: &Sketch) -> bool {
        let shingles = similarity(a, b);
        shingles >= self.threshold
            || (shingles >= self.name_floor && name_similarity(a, b) >= self.name_threshold)
    }
}

/// Band keys are already mixed 64-bit hashes: hashing them again would only cost time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// One band: bucket key → the newest slot in that bucket; older ones are chained through
/// `Clusterer::links`. An intrusive list costs 4 bytes a story a band, where a `Vec` per bucket
/// cost about 60 (most buckets hold one story).
type BandMap = HashMap<u64, u32, BuildHasherDefault<PassThrough>>;

/// End of a bucket's chain.
const NONE: u32 = u32::MAX;

struct Entry {
    id: StoryId,
    published: i64,
    cluster: ClusterId,
    sketch: Sketch,
}

/// Clusters stories incrementally; see the module notes.
pub struct Clusterer {
    window: i64,
    rule: Rule,
    rows: usize,
    name_rows: usize,
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    by_id: HashMap<StoryId, u32>,
    by_time: BTreeSet<(i64, StoryId)>,
    bands: Vec<BandMap>,
    /// `links[slot * bands + band]`: the next older slot in that band's bucket.
    links: Vec<u32>,
    latest: i64,
    seen: Vec<u32>,
}

fn band_key(band: usize, values: &[u32]) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64 ^ (band as u64);
    for &v in values {
        h = (h ^ u64::from(v)).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 29;
    }
    h.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
}

impl Clusterer {
    /// A clusterer with `settings`; out-of-range values are clamped (call
    /// [`DedupSettings::validate`] first to report them instead).
    pub fn new(settings: DedupSettings) -> Self {
        let rows = settings.band_rows.clamp(1, MINHASH_SLOTS);
        let name_rows = settings.name_band_rows.clamp(1, NAME_SLOTS);
        Self {
            window: settings.window_secs.max(1),
            rule: Rule::from(&settings),
            rows,
            name_rows,
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            by_time: BTreeSet::new(),
            bands: (0..MINHASH_SLOTS / rows + NAME_SLOTS / name_rows)
                .map(|_| BandMap::default())
                .collect(),
            links: Vec::new(),
            latest: i64::MIN,
            seen: Vec::new(),
        }
    }

    /// Stories currently in the window.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no story is in the window.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The cluster of a story still in the window.
    pub fn cluster_of(&self, id: StoryId) -> Option<ClusterId> {
        let slot = *self.by_id.get(&id)?;
        self.entry(slot).map(|e| e.cluster)
    }

    fn entry(&self, slot: u32) -> Option<&Entry> {
        self.slots.get(slot as usize).and_then(Option::as_ref)
    }

    /// (band, key) for each band a sketch sits in: the shingle bands, then the
    /// distinctive-feature bands, which a story with too few such features (whose
    /// [`name_similarity`] is always 0) stays out of.
    fn band_keys(&self, sketch: &Sketch) -> Vec<(usize, u64)> {
        let shingle_bands = MINHASH_SLOTS / self.rows;
        let mut keys: Vec<(usize, u64)> = sketch
            .minhash()
            .chunks_exact(self.rows)
            .enumerate()
            .map(|(band, values)| (band, band_key(band, values)))
            .collect();
        if sketch.names() >= crate::sketch::MIN_NAMES && self.rule.name_threshold <= 1.0 {
            keys.extend(
                sketch
                    .name_minhash()
                    .chunks_exact(self.name_rows)
                    .enumerate()
                    .map(|(band, values)| {
                        let band = shingle_bands + band;
                        (band, band_key(band, values))
                    }),
            );
        }
        keys
    }

    /// Adds a story and returns the cluster it joins: the cluster of the earliest story in the
    /// window (by publication time, then id) that is a near-duplicate of it, or `None` when
    /// it matches nothing and starts a cluster whose id is its own id.
    ///
    /// Adding an id that is already in the window replaces it (an updated story is compared
    /// again, without itself). A story older than the window's newest minus the window is
    /// still compared, but not kept.
    pub fn add(&mut self, id: StoryId, published_unix: i64, sketch: Sketch) -> Option<ClusterId> {
        self.remove(id);
        let joined = self.best_match(published_unix, &sketch);
        self.insert(id, published_unix, sketch, joined.unwrap_or(id));
        joined
    }

    /// The cluster a story would join, without adding it.
    pub fn find(&self, published_unix: i64, sketch: &Sketch) -> Option<ClusterId> {
        let mut seen = Vec::new();
        self.best_match_with(published_unix, sketch, &mut seen)
    }

    fn best_match(&mut self, published: i64, sketch: &Sketch) -> Option<ClusterId> {
        let mut seen = std::mem::take(&mut self.seen);
        let found = self.best_match_with(published, sketch, &mut seen);
        self.seen = seen;
        found
    }

    fn best_match_with(
        &self,
        published: i64,
        sketch: &Sketch,
        seen: &mut Vec<u32>,
    ) -> Option<ClusterId> {
        if sketch.is_empty() {
            return None;
        }
        seen.clear();
        for (band, key) in self.band_keys(sketch) {
            let mut slot = self.head(band, key);
            // A chain never holds more slots than exist; the bound only guards the loop.
            for _ in 0..self.slots.len() {
                if slot == NONE {
                    break;
                }
                seen.push(slot);
                slot = self.link(slot, band);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        let mut best: Option<(i64, StoryId, ClusterId)> = None;
        for &slot in seen.iter() {
            let Some(e) = self.entry(slot) else { continue };
            if published.abs_diff(e.published) > self.window.unsigned_abs() {
                continue;
            }
            if best.is_some_and(|(t, i, _)| (t, i) <= (e.published, e.id)) {
                // Only an earlier story could change the answer.
                continue;
            }
            if self.rule.is_duplicate(sketch, &e.sketch) {
                best = Some((e.published, e.id, e.cluster));
            }
        }
        best.map(|(_, _, cluster)| cluster)
    }

    /// Puts a story into the window with a known cluster, without comparing it: for reloading
    /// the window from the store after a restart, or after an editor moved a story.
    pub fn insert(&mut self, id: StoryId, published_unix: i64, sketch: Sketch, cluster: ClusterId) {
        self.remove(id);
        self.latest = self.latest.max(published_unix);
        self.evict();
        if published_unix < self.horizon() {
            return;
        }
        let keys = self.band_keys(&sketch);
        let entry = Entry {
            id,
            published: published_unix,
            cluster,
            sketch,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot as usize) {
                    *s = Some(entry);
                }
                slot
            }
            None => {
                let Ok(slot) = u32::try_from(self.slots.len()) else {
                    // Four billion stories in one window: refuse to track more.
                    return;
                };
                self.slots.push(Some(entry));
                slot
            }
        };
        let nb = self.bands.len();
        let needed = (slot as usize + 1) * nb;
        if self.links.len() < needed {
            self.links.resize(needed, NONE);
        }
        for (band, key) in keys {
            let Some(map) = self.bands.get_mut(band) else {
                continue;
            };
            let old = map.insert(key, slot).unwrap_or(NONE);
            if let Some(l) = self.links.get_mut(slot as usize * nb + band) {
                *l = old;
            }
        }
        self.by_id.insert(id, slot);
        self.by_time.insert((published_unix, id));
    }

    /// Takes a story out of the window (a takedown, or before an update).
    pub fn remove(&mut self, id: StoryId) {
        let Some(slot) = self.by_id.remove(&id) else {
            return;
        };
        let Some(entry) = self.slots.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        self.by_time.remove(&(entry.published, id));
        let keys = self.band_keys(&entry.sketch);
        let nb = self.bands.len();
        for (band, key) in keys {
            let next = self.link(slot, band);
            let head = self.head(band, key);
            if head == slot {
                if let Some(map) = self.bands.get_mut(band) {
                    if next == NONE {
                        map.remove(&key);
                    } else {
                        map.insert(key, next);
                    }
                }
                continue;
            }
            let mut prev = head;
            for _ in 0..self.slots.len() {
                if prev == NONE {
                    break;
                }
                let cur = self.link(prev, band);
                if cur == slot {
                    if let Some(l) = self.links.get_mut(prev as usize * nb + band) {
                        *l = next;
                    }
                    break;
                }
                prev = cur;
            }
        }
        self.free.push(slot);
    }

    fn head(&self, band: usize, key: u64) -> u32 {
        self.bands
            .get(band)
            .and_then(|m| m.get(&key))
            .copied()
            .unwrap_or(NONE)
    }

    fn link(&self, slot: u32, band: usize) -> u32 {
        self.links
            .get(slot as usize * self.bands.len() + band)
            .copied()
            .unwrap_or(NONE)
    }

    fn horizon(&self) -> i64 {
        self.latest.saturating_sub(self.window)
    }

    fn evict(&mut self) {
        let horizon = self.horizon();
        while let Some(&(published, id)) = self.by_time.first() {
            if published >= horizon {
                break;
            }
            self.remove(id);
            // `remove` drops the time entry; guard against a stale one looping forever.
            self.by_time.remove(&(published, id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::sketch;

    const DAY: i64 = 24 * 3600;

    fn story(n: u64) -> String {
        // Distinct vocabulary per story so unrelated stories share no shingles.
        (0..60)
            .map(|i| format!("w{}x{}", n, i))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn repost_joins_earliest_cluster() {
        let mut c = Clusterer::new(DedupSettings::default());
        let a = story(1);
        assert_eq!(c.add(10, 1000, sketch("h", &a)), None);
        assert_eq!(c.add(11, 1100, sketch("other", &story(2))), None);
        assert_eq!(c.add(12, 1200, sketch("h", &a)), Some(10));
        // A copy of the copy still joins the first story's cluster.
        assert_eq!(c.add(13, 1300, sketch("h", &a)), Some(10));
        assert_eq!(c.cluster_of(12), Some(10));
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn earliest_match_wins_even_if_added_later() {
        let mut c = Clusterer::new(DedupSettings::default());
        let a = story(1);
        assert_eq!(c.add(20, 5000, sketch("h", &a)), None);
        // A late-arriving earlier copy starts nothing new: it joins 20's cluster…
        assert_eq!(c.add(21, 4000, sketch("h", &a)), Some(20));
        // …and a third copy joins the cluster of the earliest story (21, cluster 20).
        assert_eq!(c.add(22, 6000, sketch("h", &a)), Some(20));
    }

    #[test]
    fn window_evicts_old_stories() {
        let mut c = Clusterer::new(DedupSettings {
            window_secs: 3 * DAY,
            ..DedupSettings::default()
        });
        let a = story(1);
        assert_eq!(c.add(1, 0, sketch("h", &a)), None);
        assert_eq!(c.add(2, 4 * DAY, sketch("other", &story(2))), None);
        assert_eq!(c.len(), 1, "story 1 left the window");
        assert_eq!(c.add(3, 4 * DAY + 1, sketch("h", &a)), None);
        // A story from before the window is compared but not kept.
        assert_eq!(c.add(4, 0, sketch("h", &story(9))), None);
        assert_eq!(c.cluster_of(4), None);
    }

    #[test]
    fn far_apart_in_time_do_not_join() {
        let mut c = Clusterer::new(DedupSettings {
            window_secs: DAY,
            ..DedupSettings::default()
        });
        let a = story(1);
        c.add(1, 10 * DAY, sketch("h", &a));
        assert_eq!(c.add(2, 8 * DAY, sketch("h", &a)), None);
    }

    #[test]
    fn update_and_remove() {
        let mut c = Clusterer::new(DedupSettings::default());
        let a = story(1);
        c.add(1, 100, sketch("h", &a));
        // Re-adding the same id does not match itself.
        assert_eq!(c.add(1, 100, sketch("h", &a)), None);
        assert_eq!(c.len(), 1);
        c.remove(1);
        assert!(c.is_empty());
        assert_eq!(c.add(2, 200, sketch("h", &a)), None);
        c.insert(7, 150, sketch("h", &a), 99);
        assert_eq!(c.find(300, &sketch("h", &a)), Some(99));
    }

    /// With one row per band every pair that shares a MinHash slot is a candidate, so the
    /// clusterer must agree exactly with a brute-force scan, through removals and slot reuse.
    #[test]
    fn agrees_with_brute_force() {
        let settings = DedupSettings {
            band_rows: 1,
            window_secs: 1_000_000,
            ..DedupSettings::default()
        };
        let mut c = Clusterer::new(settings.clone());
        let mut present: Vec<(i64, i64, Sketch, i64)> = Vec::new();
        let mut state = 7u64;
        let mut rand = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        for id in 0..1000i64 {
            if rand(5) == 0 && !present.is_empty() {
                let i = rand(present.len() as u64) as usize;
                let (gone, ..) = present.remove(i);
                c.remove(gone);
            }
            // Few base texts, each edited a little: many stories share buckets. Some words
            // are names and numbers, so the second signal decides some pairs too.
            let base = rand(40);
            let mut words: Vec<String> = (0..40)
                .map(|i| match i % 5 {
                    1 => format!("Name{}", rand(3) + base % 7),
                    3 => format!("{}", rand(4) + base % 5),
                    _ => format!("b{base}w{i}"),
                })
                .collect();
            for _ in 0..rand(30) {
                let at = rand(40) as usize;
                words[at] = format!("e{}", rand(1000));
            }
            let sk = sketch("", &words.join(" "));
            let published = rand(1000) as i64;
            let expected = present
                .iter()
                .filter(|(_, _, s, _)| settings.is_duplicate(&sk, s))
                .min_by_key(|(i, p, _, _)| (*p, *i))
                .map(|(_, _, _, cl)| *cl);
            assert_eq!(c.add(id, published, sk.clone()), expected, "story {id}");
            present.push((id, published, sk, expected.unwrap_or(id)));
            assert_eq!(c.len(), present.len());
        }
    }

    #[test]
    fn empty_stories_never_cluster() {
        let mut c = Clusterer::new(DedupSettings::default());
        assert_eq!(c.add(1, 0, sketch("", "")), None);
        assert_eq!(c.add(2, 0, sketch("", "")), None);
    }

    #[test]
    fn settings_validate_and_clamp() {
        assert!(DedupSettings::default().validate().is_ok());
        for bad in [
            DedupSettings {
                window_secs: 0,
                ..DedupSettings::default()
            },
            DedupSettings {
                threshold: 0.0,
                ..DedupSettings::default()
            },
            DedupSettings {
                threshold: f64::NAN,
                ..DedupSettings::default()
            },
            DedupSettings {
                band_rows: 0,
                ..DedupSettings::default()
            },
            DedupSettings {
                band_rows: 129,
                ..DedupSettings::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
            let mut c = Clusterer::new(bad);
            c.add(1, i64::MIN, sketch("h", "a b c d"));
            c.add(2, i64::MAX, sketch("h", "a b c d"));
            c.add(3, i64::MIN, sketch("h", "a b c d"));
        }
        let s: DedupSettings = serde_json::from_str(r#"{"threshold": 0.6}"#).unwrap();
        assert_eq!(s.window_secs, 3 * DAY);
        assert!(serde_json::from_str::<DedupSettings>(r#"{"thresh": 0.6}"#).is_err());
    }
}
