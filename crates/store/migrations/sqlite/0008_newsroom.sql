-- masthead schema, version 8 (SQLite): the newsroom. Editors' and admins' accounts, their
-- one-time setup links and server-side sessions, failed logins (throttling), news releases
-- from the public and the audit log. Never edit once released. Times are integer Unix
-- microseconds, plus the UTC offset in seconds where a person will read them.

-- `email` is stored trimmed and lower-cased, so UNIQUE refuses a second account whatever the
-- case typed. `sites` is a JSON array of site ids (empty: every site). `password_hash` is an
-- argon2id PHC string, empty until the account's setup link is used.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT    NOT NULL UNIQUE,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'editor')),
    sites           TEXT    NOT NULL DEFAULT '[]',
    password_hash   TEXT    NOT NULL DEFAULT '',
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at      INTEGER NOT NULL,
    created_offset  INTEGER NOT NULL
);

-- One-time setup (or reset) links: only the token's hash is kept; one per account.
CREATE TABLE setup_tokens (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX setup_tokens_user ON setup_tokens (user_id);

-- Server-side sessions: only the hash of the cookie's id is kept. Times are instants (UTC).
CREATE TABLE sessions (
    id_hash     TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, per key ("ip:…" or "account:…"), counted over a window.
CREATE TABLE login_failures (
    key  TEXT    NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- News releases submitted by the public. `reference` ("R-000123") is what the submitter is
-- told; `sites` is a JSON array of site ids; the image, when there is one, is the four
-- `image_*` columns. `version` is bumped by every edit or decision (optimistic locking).
CREATE TABLE releases (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    reference           TEXT    NOT NULL UNIQUE,
    kind                TEXT    NOT NULL CHECK (kind IN ('business', 'community', 'sports',
                                'personnel_appointment', 'event', 'other')),
    organisation        TEXT    NOT NULL,
    contact_name        TEXT    NOT NULL,
    contact_email       TEXT    NOT NULL,
    contact_phone       TEXT,
    headline            TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    dateline            TEXT,
    event_at            TEXT,
    event_place         TEXT,
    image_file          TEXT,
    image_content_type  TEXT,
    image_width         INTEGER,
    image_height        INTEGER,
    sites               TEXT    NOT NULL DEFAULT '[]',
    fingerprint         TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'submitted'
                        CHECK (status IN ('submitted', 'approved', 'rejected', 'spam')),
    version             INTEGER NOT NULL DEFAULT 1,
    submitted_at        INTEGER NOT NULL,
    submitted_offset    INTEGER NOT NULL,
    decided_at          INTEGER,
    decided_offset      INTEGER,
    decided_by          TEXT,
    reason              TEXT,
    section             TEXT,
    story_id            INTEGER REFERENCES stories (id) ON DELETE SET NULL
);
-- The moderation queue (by status, oldest first) and the duplicate check (by fingerprint,
-- within a window).
CREATE INDEX releases_status_submitted ON releases (status, submitted_at, id);
CREATE INDEX releases_submitted ON releases (submitted_at, id);
CREATE INDEX releases_fingerprint ON releases (fingerprint, submitted_at);

-- Every editorial and administrative action: who, what, when, from where. Append-only.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    at_offset   INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    from_addr   TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
