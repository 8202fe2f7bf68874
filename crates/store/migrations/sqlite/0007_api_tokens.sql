-- masthead schema, version 7 (SQLite): tokens for the JSON API under /api/v1. Never edit once
-- released. Times are integer Unix microseconds plus the UTC offset in seconds.

-- Only the SHA-256 of a token's secret is kept (hex): the secret is shown once, at creation.
-- Tokens are revoked, never deleted, so an id is never reused and the record of use stays.
CREATE TABLE api_tokens (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    scope            TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash       TEXT    NOT NULL UNIQUE,
    created_at       INTEGER NOT NULL,
    created_offset   INTEGER NOT NULL,
    last_used_at     INTEGER,
    last_used_offset INTEGER,
    revoked_at       INTEGER,
    revoked_offset   INTEGER
);
