-- masthead schema, version 1 (SQLite). Never edit once released: add 0002_… instead.
-- Times are integer Unix microseconds plus the source's UTC offset in seconds.

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    time_zone   TEXT    NOT NULL,
    tagline     TEXT    NOT NULL DEFAULT ''
);

-- A host selects exactly one site, hence the host alone is the key.
CREATE TABLE site_hosts (
    host        TEXT    NOT NULL PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    -- The order the site's configuration lists its hosts in (the first is its main one).
    position    INTEGER NOT NULL
);
CREATE INDEX site_hosts_site ON site_hosts (site_id);

CREATE TABLE sections (
    site_id     INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    slug        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (site_id, slug)
);

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL UNIQUE,
    url                  TEXT    NOT NULL,
    section              TEXT,
    dateline             TEXT,
    full_text            TEXT    NOT NULL DEFAULT 'auto'
                                 CHECK (full_text IN ('auto', 'always', 'never')),
    interval_secs        INTEGER NOT NULL,
    -- Health, written by the ingest pass.
    last_success_at      INTEGER,
    last_error           TEXT,
    last_error_at        INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

-- A story's cluster is the id of the cluster's first story; no foreign key so that a
-- cluster outlives the removal of that first story.
CREATE TABLE stories (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER NOT NULL REFERENCES sources (id),
    guid             TEXT    NOT NULL,
    url              TEXT,
    slug             TEXT    NOT NULL,
    headline         TEXT    NOT NULL,
    standfirst       TEXT,
    byline           TEXT,
    dateline         TEXT,
    published_at     INTEGER NOT NULL,
    published_offset INTEGER NOT NULL,
    updated_at       INTEGER,
    updated_offset   INTEGER,
    content_html     TEXT    NOT NULL,
    text             TEXT    NOT NULL,
    -- First paragraph of `text`, kept so lists never read whole bodies.
    lead             TEXT    NOT NULL,
    image_url        TEXT,
    image_caption    TEXT,
    image_credit     TEXT,
    image_alt        TEXT,
    -- JSON array of strings.
    categories       TEXT    NOT NULL DEFAULT '[]',
    content_hash     TEXT    NOT NULL,
    cluster_id       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX stories_published ON stories (published_at DESC, id DESC);
CREATE INDEX stories_source_published ON stories (source_id, published_at DESC, id DESC);
CREATE INDEX stories_cluster ON stories (cluster_id);

-- `published_at` is the story's, copied here so one index serves a site's (or section's)
-- newest stories without touching `stories`; put_story keeps it in step.
CREATE TABLE placements (
    story_id     INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    site_id      INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    section      TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (story_id, site_id)
);
CREATE INDEX placements_site_newest
    ON placements (site_id, published_at DESC, story_id DESC);
CREATE INDEX placements_site_section_newest
    ON placements (site_id, section, published_at DESC, story_id DESC);
