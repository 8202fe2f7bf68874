-- masthead schema, version 5 (SQLite): takedowns, revisions, cluster pins, sketches and
-- canonical URLs. Never edit once released.
-- Times are integer Unix microseconds plus the UTC offset in seconds.

-- A takedown: set once, never cleared by a later poll. Lists leave killed stories out.
ALTER TABLE stories ADD COLUMN killed_at INTEGER;
ALTER TABLE stories ADD COLUMN killed_offset INTEGER;
ALTER TABLE stories ADD COLUMN killed_reason TEXT;
ALTER TABLE stories ADD COLUMN killed_by TEXT;
-- The normalized URL: a story's identity when a re-post carries a new GUID.
ALTER TABLE stories ADD COLUMN canonical_url TEXT;
-- The near-duplicate sketch masthead-dedup computed (opaque here).
ALTER TABLE stories ADD COLUMN sketch TEXT;

CREATE INDEX stories_source_canonical_url ON stories (source_id, canonical_url)
    WHERE canonical_url IS NOT NULL;
-- A cluster's earliest members, for the one-story-per-cluster listings.
CREATE INDEX stories_cluster_first ON stories (cluster_id, published_at, id);

-- Versions a source replaced, numbered 1.. per story; `replaced_at` is the update time of
-- the version that replaced it.
CREATE TABLE story_revisions (
    story_id        INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    headline        TEXT    NOT NULL,
    standfirst      TEXT,
    text            TEXT    NOT NULL,
    content_html    TEXT    NOT NULL,
    content_hash    TEXT    NOT NULL,
    replaced_at     INTEGER NOT NULL,
    replaced_offset INTEGER NOT NULL,
    PRIMARY KEY (story_id, number)
);

-- An editor's choice of the story pages show for a cluster (else its earliest member).
CREATE TABLE cluster_pins (
    cluster_id  INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
);
